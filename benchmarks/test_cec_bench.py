"""CEC throughput against the raw encoder, and the saving from the embedding cache.

Run: ``make bench`` (or ``pytest benchmarks --benchmark-enable``). Numbers are ratios measured in
one run, so they hold on any machine: CEC pairs/s relative to encoding the same unique sentences
with the bare SentenceTransformer (target ≥ 0.9), and three systems scored against one set of
references with one scorer versus a fresh scorer per system. ``CEC_BENCH_PAIRS`` sets the corpus
size (default 1,000 pairs of 4–8 sentences).
"""
from __future__ import annotations

import os
import time

import pytest
from corpus import explanation_pairs

from cec_eval import CECScorer
from cec_eval.resources import default_embedding_model_path

N = int(os.environ.get("CEC_BENCH_PAIRS", "1000"))


@pytest.fixture(scope="module")
def model():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(default_embedding_model_path(), device="cpu")


@pytest.fixture(scope="module")
def corpus():
    return explanation_pairs(N)


def test_cec_vs_raw_encoder_throughput(benchmark, model, corpus):
    preds, refs = corpus
    probe = CECScorer(model=model)
    unique = list(dict.fromkeys(s for t in preds + refs for s in probe.split(t)))

    def raw():
        model.encode(unique, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)

    def cec():
        CECScorer(model=model).score(preds, refs)  # cold cache: everything is embedded

    raw()  # warm-up (thread pools, allocator)
    times = {"raw": [], "cec": []}
    for _ in range(2):  # interleaved, so background load hits both alike
        for name, fn in (("raw", raw), ("cec", cec)):
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    benchmark.pedantic(cec, rounds=1, iterations=1)
    t_raw, t_cec = min(times["raw"]), min(times["cec"])
    ratio = t_raw / t_cec
    benchmark.extra_info.update(
        pairs=len(preds), unique_sentences=len(unique), raw_s=round(t_raw, 3), cec_s=round(t_cec, 3),
        cec_pairs_per_s=round(len(preds) / t_cec, 1), throughput_ratio_vs_raw_encoder=round(ratio, 3),
    )
    print(f"\n{len(preds)} pairs, {len(unique)} unique sentences: raw encoder {t_raw:.2f}s, CEC {t_cec:.2f}s, "
          f"{len(preds) / t_cec:.1f} pairs/s, ratio {ratio:.3f}")


def test_cache_saving_three_systems_one_reference_set(benchmark, model, corpus):
    preds, refs = corpus
    n = min(len(preds), 300)
    refs = refs[:n]
    systems = [preds[:n], preds[n : 2 * n] or preds[:n][::-1], [r[::-1] for r in preds[:n]]]

    def shared():
        scorer = CECScorer(model=model)
        for system in systems:
            scorer.score(system, refs)
        return scorer.embedder.stats["encoded"]

    def separate():
        for system in systems:
            CECScorer(model=model).score(system, refs)

    t = time.perf_counter(); encoded_shared = shared(); t_shared = time.perf_counter() - t
    t = time.perf_counter(); separate(); t_separate = time.perf_counter() - t
    benchmark.pedantic(shared, rounds=1, iterations=1)
    benchmark.extra_info.update(shared_s=round(t_shared, 3), separate_s=round(t_separate, 3),
                                saving=round(1 - t_shared / t_separate, 3), sentences_encoded_shared=encoded_shared)
    print(f"\n3 systems x {n} pairs: one scorer {t_shared:.2f}s vs fresh scorers {t_separate:.2f}s "
          f"(saving {1 - t_shared / t_separate:.0%})")
