"""CEC throughput against the raw encoder and per encoder backend, and the saving from the cache.

Run: ``make bench`` (or ``pytest benchmarks --benchmark-enable``). Numbers are ratios measured in
one run, so they hold on any machine. The speed table (issue #19) times, on one corpus and in one
run, interleaved round by round so background load hits every arm alike: the raw torch encoder on
exactly the corpus' unique sentences, CEC on torch, onnx and onnx-int8 (cold embedding cache each
time), and bert_score on the same MiniLM. Targets: CEC torch ≥ 0.9× its raw encoder, onnx-int8
≥ 2.5× torch. ``CEC_BENCH_PAIRS`` sets the corpus size (default 1,000 pairs of 4–8 sentences),
``CEC_BENCH_ROUNDS`` the rounds (default 2; the fastest of each arm is kept). Run with
``OMP_NUM_THREADS=1`` on a shared machine. The ONNX arms need onnxruntime (skipped without it).
"""
from __future__ import annotations

import importlib.util
import os
import time
import warnings

import pytest
from corpus import explanation_pairs

from cec_eval import CECScorer
from cec_eval.resources import default_embedding_model_path

N = int(os.environ.get("CEC_BENCH_PAIRS", "1000"))
ROUNDS = int(os.environ.get("CEC_BENCH_ROUNDS", "2"))
HAS_ORT = importlib.util.find_spec("onnxruntime") is not None


@pytest.fixture(scope="module")
def model():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(default_embedding_model_path(), device="cpu")


@pytest.fixture(scope="module")
def corpus():
    return explanation_pairs(N)


def test_speed_table_one_run(benchmark, model, corpus):
    from cec_eval.metrics.bertscore import BERTScoreMetric

    preds, refs = corpus
    probe = CECScorer(model=model)
    unique = list(dict.fromkeys(s for t in preds + refs for s in probe.split(t)))
    # scorers are built (and ONNX files exported) before timing; each timed run starts cold
    scorers = {b: CECScorer(model=model, backend=b, show_progress=False)
               for b in ("torch", *(("onnx", "onnx-int8") if HAS_ORT else ()))}
    bertscore = BERTScoreMetric()
    bertscore.scorer  # load once

    def cec(backend):
        def run():
            scorers[backend].embedder.clear_cache()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the corpus has a few over-long sentences
                scorers[backend].score(preds, refs)
        return run

    def bert():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bertscore.score(preds, refs)

    arms = {"raw encoder (torch)": lambda: model.encode(unique, batch_size=64, convert_to_numpy=True, normalize_embeddings=True),
            **{f"CEC {b}": cec(b) for b in scorers}, "bert_score (MiniLM, torch)": bert}
    arms["raw encoder (torch)"]()  # warm-up (thread pools, allocator)
    # wall time and this process's CPU time (user + system, all threads): on a shared machine the
    # CPU time is the steadier measure of the work, the wall time what a user waits
    times = {name: [] for name in arms}
    cpu = {name: [] for name in arms}
    for _ in range(ROUNDS):
        for name, fn in arms.items():
            t, c = time.perf_counter(), time.process_time()
            fn()
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    benchmark.pedantic(cec("torch"), rounds=1, iterations=1)
    best = {name: min(v) for name, v in times.items()}
    best_cpu = {name: min(v) for name, v in cpu.items()}
    t_raw, t_cec = best["raw encoder (torch)"], best["CEC torch"]
    c_raw, c_cec = best_cpu["raw encoder (torch)"], best_cpu["CEC torch"]
    print(f"\n{len(preds)} pairs, {len(unique)} unique sentences, {ROUNDS} rounds (fastest kept)")
    print("| arm | wall | CPU | pairs/s (wall) | speed vs CEC torch (wall) | (CPU) |\n|---|---|---|---|---|---|")
    for name, t in best.items():
        print(f"| {name} | {t:.2f} s | {best_cpu[name]:.2f} s | {len(preds) / t:.1f} | {t_cec / t:.2f}x | {c_cec / best_cpu[name]:.2f}x |")
    print(f"CEC torch / raw encoder throughput: {t_raw / t_cec:.3f} (wall), {c_raw / c_cec:.3f} (CPU)")
    benchmark.extra_info.update(
        pairs=len(preds), unique_sentences=len(unique), rounds=ROUNDS,
        seconds={k: round(v, 3) for k, v in best.items()}, cpu_seconds={k: round(v, 3) for k, v in best_cpu.items()},
        throughput_ratio_vs_raw_encoder=round(t_raw / t_cec, 3), cpu_ratio_vs_raw_encoder=round(c_raw / c_cec, 3),
        speedup_vs_cec_torch={k: round(t_cec / v, 3) for k, v in best.items()},
        cpu_speedup_vs_cec_torch={k: round(c_cec / v, 3) for k, v in best_cpu.items()},
    )


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
