"""``process_results`` and corpus-level aggregations of the task pack.

CEC needs one batched embedding pass over the whole corpus, so ``process_results`` only passes
(prediction, references, reference source, CEC options) through and the aggregation functions
score them all at once with the process-wide :func:`cec_eval.get_scorer` (model loaded once,
sentence embeddings cached). The forward / backward / sym / signature aggregations receive equal
item lists, so the scored corpus is memoised on its content and computed once. Under data
parallelism lm-eval gathers every rank's items on rank 0 before aggregating, so the pass runs
once, on the whole corpus; the items are scored in a canonical order (see :func:`_canonical`), so
the numbers do not depend on how the documents were split across ranks.

Each CEC and lexical aggregation also carries a seeded bootstrap standard error over the
memoised per-item scores (:func:`bootstrap_stderr`), which lm-eval's table shows once
:mod:`cec_eval.lm_eval_hook` is installed (``--bootstrap_iters`` sets the resamples; 0 turns it
off).

The ``cec_signature`` metric's value is a string: the CEC signature plus ``refs:<source>``, so the
results table and JSON say which embedding model, splitter and references produced the numbers.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import OrderedDict
from typing import Any, Sequence

from .answers import math_equivalent, normalize_number
from .analysis import explanation_text

log = logging.getLogger(__name__)

CEC_METRICS = ("cec_forward", "cec_backward", "cec_sym", "cec_signature")
LEXICAL_METRICS = ("bleu", "rouge1", "rouge2", "rougeL", "meteor", "bertscore")
_MEMO: "OrderedDict[tuple, Any]" = OrderedDict()
_MEMO_SIZE = 16


def _memo(kind: str, items: Sequence, compute):
    blob = json.dumps([list(i) if isinstance(i, (list, tuple)) else i for i in items], sort_keys=True, default=str)
    key = (kind, hashlib.sha256(blob.encode("utf-8")).hexdigest())
    if key not in _MEMO:
        _MEMO[key] = compute()
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return _MEMO[key]


def text_item(doc: dict, prediction: str) -> tuple:
    """What the corpus-level aggregations need from one document."""
    return (prediction or "", tuple(doc["references"]), doc.get("reference_source", "unknown"), doc.get("cec_options", ""))


# --------------------------------------------------------------------------------------------
# process_results


def _cec_metrics(doc: dict, text: str) -> dict:
    item = text_item(doc, text)
    return {name: item for name in CEC_METRICS}


def _judge_metrics(r: dict) -> dict:
    """A judge row's metrics, the same keys on every row (lm-eval gathers data-parallel results
    under rank 0's keys, so a key missing on some rows would be lost or raise): ``judged_acc`` is 1/0
    for a usable verdict (CORRECT/INCORRECT) and NaN otherwise, so :func:`agg_judged_acc` averages
    judged rows only and a dead judge gives NaN (undefined), never 0; ``judged_n`` (1 per judged row,
    summed by :func:`agg_judged_n`); ``judge_invalid`` (1 per unusable verdict: INVALID or ERROR,
    apart from wrong ones); ``regex_acc`` on every row."""
    if not r.get("configured"):
        return {}  # no judge configured: no judged rows rather than fake ones
    verdict = r.get("verdict")
    judged = verdict in ("CORRECT", "INCORRECT")
    return {
        "judged_acc": float(verdict == "CORRECT") if judged else math.nan,
        "judged_n": float(judged),
        "judge_invalid": float(not judged),
        "regex_acc": float(bool(r.get("regex_correct"))),
        "judge_signature": r.get("signature", ""),
    }


def agg_judged_acc(items: Sequence[float]) -> float:
    """Accuracy over the rows the judge judged (NaN rows are unjudged); NaN when none was judged."""
    judged = [x for x in items if not math.isnan(x)]
    return sum(judged) / len(judged) if judged else math.nan


def agg_judged_n(items: Sequence[float]) -> int:
    """How many rows the judge judged (the count behind ``judged_acc``)."""
    return int(sum(items))


def process_results(doc: dict, results: list) -> dict:
    """Metrics of one document under one filter pipeline (dispatched on the filter's output)."""
    r = results[0]
    if not isinstance(r, dict):  # a pipeline without a CausalFilter (e.g. a user's own YAML)
        r = {"filter": "explanation", "text": explanation_text(r)}
    kind = r.get("filter")
    if kind == "explanation":
        out = _cec_metrics(doc, r["text"])
        out.update({name: (r["text"], tuple(doc["references"])) for name in LEXICAL_METRICS})
        return out
    if kind == "reasoning":
        return _cec_metrics(doc, r["text"])
    if kind == "format":
        # a reply cut inside its reasoning is counted beside compliance (it has no answer)
        return {"format_compliance": float(bool(r["compliant"])), "truncated": float(bool(r.get("truncated")))}
    if kind == "judge":
        return _judge_metrics(r)
    if kind == "answer":
        return {answer_metric(doc): float(is_correct(doc, r))}
    raise ValueError(f"process_results: unknown filter output {kind!r}")


def answer_metric(doc: dict) -> str:
    return "acc" if "choices" in doc else "exact_match"


def is_correct(doc: dict, r: dict) -> bool:
    """Whether an extracted answer matches the document's gold answer."""
    extracted = r.get("extracted")
    if extracted is None:
        return False
    if "choices" in doc:  # GPQA: a letter
        return str(extracted).strip().upper() == doc["answer"]
    if r.get("mode") == "math":
        return math_equivalent(doc["gold"], extracted)
    return normalize_number(extracted) == normalize_number(doc["gold"])


# --------------------------------------------------------------------------------------------
# aggregations


def scorer_for(options: str | None = None, **overrides: Any):
    """The process-wide scorer for a document's CEC options (JSON from
    :func:`cec_eval.tasks.data.cec_options`; a bare string is a model path), with ``overrides``."""
    from cec_eval import get_scorer

    if options and options.lstrip().startswith("{"):
        kwargs = json.loads(options)
    else:
        kwargs = {"model": options} if options else {}
    kwargs.update({k: v for k, v in overrides.items() if v})
    return get_scorer(**kwargs)


def _canonical(items: Sequence[tuple]) -> list[tuple]:
    """The items in a fixed order (by content). lm-eval hands aggregations the items in document
    order in one process but rank by rank under data parallelism; scoring a canonical order makes
    the embedding batches, the per-item vectors (hence the bootstrap) and the means identical."""
    return sorted((tuple(i) for i in items), key=lambda i: json.dumps(list(i), default=str))


def _corpus_cec(items: Sequence[tuple]) -> dict:
    """One batched CEC pass over the corpus (memoised on its content, in any order): the per-item
    ``forward``/``backward``/``sym`` vectors in canonical order, their means and the signature."""
    items = _canonical(items)

    def compute() -> dict:
        import time

        import numpy as np

        start = time.perf_counter()
        options = {i[3] for i in items}
        if len(options) > 1:
            raise ValueError(f"CEC items ask for different CEC options: {sorted(map(str, options))}")
        scorer = scorer_for(options.pop())
        result = scorer.score([i[0] for i in items], [list(i[1]) for i in items])
        sources = "+".join(sorted({str(i[2]) for i in items}))
        if result.empty_predictions:
            log.warning("CEC: %d of %d predictions were empty and score 0", len(result.empty_predictions), len(items))
        per_item = {d: np.asarray(getattr(result, d), dtype=float) for d in ("forward", "backward", "sym")}
        seconds = time.perf_counter() - start
        # structured, so a run can report the pass's share of its wall time (benchmarks/cec_pass_share.py)
        log.info("CEC pass: %d items in %.2f s", len(items), seconds, extra={"cec_pass_seconds": seconds, "cec_pass_items": len(items)})
        return {"per_item": per_item, **{d: math.fsum(v) / len(v) for d, v in per_item.items()},
                "signature": f"{result.signature}|refs:{sources}"}

    return _memo("cec", items, compute)


def _lexical_corpus(items: Sequence[tuple]) -> dict:
    """Table 1's other metrics through :mod:`cec_eval.metrics`, per item (canonical order), once
    per corpus. A metric that cannot run here is logged and left out (reported as NaN) rather than
    failing the whole task."""
    items = _canonical(items)

    def compute() -> dict:
        import numpy as np

        from cec_eval.metrics import get_metric

        preds = [i[0] for i in items]
        refs = [list(i[1]) for i in items]
        out = {}
        for metric in LEXICAL_METRICS:
            try:
                out[metric] = np.asarray(get_metric(metric).score(preds, refs).scores, dtype=float)
            except Exception as e:  # e.g. a missing optional resource
                log.warning("%s not computed: %s", metric, e)
        return out

    return _memo("lexical", items, compute)


# -- standard errors -----------------------------------------------------------------------------
#: Seed of the bootstrap behind the reported standard errors: cec-eval compare's default, so the
#: same items give the same resamples there and in lm-eval's table.
BOOTSTRAP_SEED = 0


def bootstrap_stderr(scores: Sequence[float], iters: int, seed: int = BOOTSTRAP_SEED) -> float:
    """Bootstrap standard error of the mean of per-item ``scores``: the standard deviation
    (ddof=1) of ``iters`` resampled means, drawn by scipy.stats.bootstrap exactly as
    :func:`cec_eval.stats.bootstrap_ci` draws the resamples behind ``cec-eval compare``'s CI
    (same seed, same generator), so the two describe one bootstrap distribution. NaN for fewer
    than 2 items or ``iters < 2``; 0.0 when every item has the same score."""
    import numpy as np
    from scipy import stats

    x = np.asarray(scores, dtype=float)
    if len(x) < 2 or iters < 2:
        return math.nan
    if np.all(x == x[0]):
        return 0.0
    res = stats.bootstrap((x,), np.mean, n_resamples=int(iters), method="percentile",
                          rng=np.random.default_rng(seed), vectorized=True, batch=max(1, 2_000_000 // len(x)))
    return float(res.standard_error)


def _aggregation(per_item):
    """An aggregation (mean of ``per_item(items)``) that also carries ``stderr(items, iters)``,
    which :mod:`cec_eval.lm_eval_hook` hands to lm-eval's table (lm-eval only bootstraps its own
    aggregation functions). Both read the memoised per-corpus vectors: bootstrap resamples reuse
    the per-item scores and never re-embed."""

    def decorate(fn):
        def stderr(items: Sequence[tuple], iters: int) -> float:
            return bootstrap_stderr(per_item(items), iters)

        fn.per_item = per_item
        fn.stderr = stderr
        return fn

    return decorate


def _cec_direction(d: str):
    return lambda items: _corpus_cec(items)["per_item"][d]


def _lexical_metric(name: str):
    def per_item(items):
        got = _lexical_corpus(items).get(name)
        return got if got is not None else [math.nan]

    return per_item


def _mean(values) -> float:
    return math.fsum(values) / len(values) if len(values) else math.nan


@_aggregation(_cec_direction("forward"))
def agg_cec_forward(items: Sequence[tuple]) -> float:
    return _corpus_cec(items)["forward"]


@_aggregation(_cec_direction("backward"))
def agg_cec_backward(items: Sequence[tuple]) -> float:
    return _corpus_cec(items)["backward"]


@_aggregation(_cec_direction("sym"))
def agg_cec_sym(items: Sequence[tuple]) -> float:
    return _corpus_cec(items)["sym"]


def agg_cec_signature(items: Sequence[tuple]) -> str:
    return _corpus_cec(items)["signature"]


@_aggregation(_lexical_metric("bleu"))
def agg_bleu(items: Sequence[tuple]) -> float:
    return _mean(agg_bleu.per_item(items))


@_aggregation(_lexical_metric("rouge1"))
def agg_rouge1(items: Sequence[tuple]) -> float:
    return _mean(agg_rouge1.per_item(items))


@_aggregation(_lexical_metric("rouge2"))
def agg_rouge2(items: Sequence[tuple]) -> float:
    return _mean(agg_rouge2.per_item(items))


@_aggregation(_lexical_metric("rougeL"))
def agg_rougeL(items: Sequence[tuple]) -> float:
    return _mean(agg_rougeL.per_item(items))


@_aggregation(_lexical_metric("meteor"))
def agg_meteor(items: Sequence[tuple]) -> float:
    return _mean(agg_meteor.per_item(items))


@_aggregation(_lexical_metric("bertscore"))
def agg_bertscore(items: Sequence[tuple]) -> float:
    return _mean(agg_bertscore.per_item(items))


def agg_first(items: Sequence[str]) -> str:
    """A per-run constant (the judge signature): the distinct values, joined."""
    return " ; ".join(dict.fromkeys(str(i) for i in items))
