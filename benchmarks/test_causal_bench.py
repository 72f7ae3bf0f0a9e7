"""Cost of Causal CEC against plain CEC (target: ≤ 2×), with cold caches each round.

    pytest benchmarks/test_causal_bench.py --benchmark-enable

Two corpora: the e-CARE contrast set (every sentence states a link: the worst case, the
variant embeds a cause and an effect span per sentence) and COPA-SSE dev explanations against the
other explanations of their question (crowd text, about a third of the sentences with a link).
Compare the ``plain`` and ``causal`` rows of each group; ``extra_info`` records the corpus size.

Measured 2026-12-01 (2 shared cores, one torch thread, 5 rounds; mean time relative to plain):
causal-v16 (swap test on every sentence pair and on whole texts): COPA-SSE 2.29x (1.42x), e-CARE contrast
1.87x (1.52x); causal-v14 (swap test): COPA-SSE 2.27x (1.43x), e-CARE contrast 1.99x (1.57x); causal-v13 (text scope)
earlier that day: COPA-SSE 2.24x (1.52x), e-CARE contrast 1.96x (1.54x); causal-v12 earlier still:
COPA-SSE 2.33x (1.59x), e-CARE contrast 1.90x (1.39x); causal-v11 (nested links parse the
sides of every link): COPA-SSE 2.12x (1.38x), e-CARE contrast
1.97x (1.51x); causal-v10: COPA-SSE causal 2.16x (connectives only 1.41x), e-CARE contrast 1.63x (1.53x); causal-v9
earlier that day: 2.05x (1.36x), 1.64x (1.67x); causal-v7: 2.08x (1.39x), 1.69x (1.61x); causal-v6
earlier that day: 2.14x (1.46x), 1.63x (1.50x), with a second job on the other core; causal-v5 on
2026-11-30: 2.12x (1.56x), 1.65x (1.60x); causal-v3:
2.07x (1.41x), 1.63x (1.57x). The ≤ 2x
target holds on the contrast set (just, since causal-v11) and not quite on crowd text, where most sentences have no
connective and are parsed for their argument structure.
"""
from __future__ import annotations

import os

for _var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE"):
    os.environ[_var] = "1"

import pytest  # noqa: E402

from cec_eval import CECScorer  # noqa: E402
from cec_eval.causal import CausalMatcher, contrast  # noqa: E402
from cec_eval.causal import agreement as ag  # noqa: E402
from cec_eval.matchers import CosineMatcher  # noqa: E402


@pytest.fixture(scope="module")
def scorer():
    s = CECScorer(show_progress=False)
    s.embedder.encode(["warm up"])  # model load and first-call overhead outside the timings
    CausalMatcher().extractor.extract(["spaCy loads once because importing it is slow.", "The parser loads too."])
    return s


def _contrast():
    items = contrast.load()[:150]
    return [it["paraphrase"] for it in items], [it["reference"] for it in items]


def _copa():
    data = ag.load_copa_sse(max_questions=40)
    return data.texts, data.references


CORPORA = {"ecare_contrast": _contrast, "copa_sse": _copa}
VARIANTS = {"plain": CosineMatcher, "causal": CausalMatcher,
            # causal-v2's connective-only matcher: what reading argument structure (a parse of every
            # sentence without a connective) costs on top
            "causal-connectives-only": lambda: CausalMatcher(roles=False),
            # the opt-in learned direction check: a cross-encoder pass (both orders) per pair of texts
            "causal+learned": lambda: CausalMatcher(learned=0.5)}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("corpus", list(CORPORA))
def test_score_cold_cache(benchmark, scorer, corpus, variant):
    preds, refs = CORPORA[corpus]()
    benchmark.group = f"causal-cost:{corpus}"
    benchmark.extra_info.update({"predictions": len(preds), "variant": variant})

    def setup():
        scorer.embedder.clear_cache()
        scorer.matcher = VARIANTS[variant]()  # a fresh matcher: no cached links or spans
        scorer.aggregation = getattr(scorer.matcher, "default_aggregation", "mean")  # the variant as shipped
        return (), {}

    result = benchmark.pedantic(lambda: scorer.score(preds, refs), setup=setup, rounds=5, iterations=1)
    assert len(result.sym) == len(preds)
