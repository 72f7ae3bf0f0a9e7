"""Claire at several training sizes: does the distilled student do better on GSM8K test items it never
saw once it has seen more traces? (issue #17; docs/claire_experiment.md, "Training size").

    python benchmarks/claire_gpu.py --sizes 128,2000,7473 --out runs/claire_sizes      # a CUDA machine: minutes
    python benchmarks/claire_gpu.py --sizes 8 --eval-items 4 --max-new-tokens 16 --out /tmp/c   # CPU smoke

The same chain as ``cec-eval distill experiment`` (offline Claire traces of GSM8K *train* items, preset
``claire``, :func:`cec_eval.distill.experiment.prepare_data` and :func:`cec_eval.distill.sft.train`),
one student per size, then base and every student on the first ``--eval-items`` GSM8K *test* items
with the prompt of ``gsm8k_causal`` (chat template, greedy, cut at "Question:" like the task's
``until``). Replies are graded by the task pack's own rule (:func:`cec_eval.tasks.analysis.analyse`,
:func:`cec_eval.tasks.metrics.is_correct`) without lm-eval, so the script runs where only torch,
transformers, peft, trl and datasets are installed; CEC is left to the leaderboard (no sentence
encoder is needed here). Per size: format compliance, exact match (strict and flexible), truncated
replies, each with the paired bootstrap CI of Claire − base and the leaderboard's paired test.

Writes ``results.json``, ``results.md`` and ``samples_<checkpoint>.jsonl`` (every reply) to ``--out``.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

#: (filter output, answer mode) views of a reply, as gsm8k_causal's filter pipelines take them
VIEWS = (("format", None), ("answer", "strict"), ("answer", "flexible"))


def test_docs(n: int) -> list[dict]:
    """The first ``n`` GSM8K test problems as ``gsm8k_causal`` reads them (id, question, gold)."""
    from cec_eval.resources import read_jsonl
    from cec_eval.tasks.data import gsm8k_gold

    docs = []
    for i, row in enumerate(read_jsonl("gsm8k_test")):
        if i >= n:
            break
        docs.append({"id": i, "question": row["question"], "gold": gsm8k_gold(row["answer"])})
    return docs


def generate(base_model: str, adapter: str | None, prompts: list[str], max_new_tokens: int, batch_size: int) -> list[str]:
    """Greedy chat-template replies (bf16 on CUDA, fp32 on a CPU), cut at the task's stop string."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cuda = torch.cuda.is_available()
    tok = AutoTokenizer.from_pretrained(base_model, padding_side="left")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(base_model, dtype=torch.bfloat16 if cuda else torch.float32)
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()  # one matmul per layer: faster
    model = model.to("cuda" if cuda else "cpu").eval()
    texts = [tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
             for p in prompts]
    out: list[str] = []
    for i in range(0, len(texts), batch_size):
        enc = tok(texts[i:i + batch_size], return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
        with torch.no_grad():
            gen = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
        for row in gen[:, enc["input_ids"].shape[1]:]:
            out.append(tok.decode(row, skip_special_tokens=True).split("Question:")[0])
    return out


def grade(docs: list[dict], replies: list[str]) -> dict[str, dict[str, float]]:
    """``"metric/view" -> {doc id: score}`` by the task pack's reply rule: what ``gsm8k_causal``'s
    filters (``analyse``) and ``process_results`` give for each view of a reply."""
    from cec_eval.tasks.analysis import analyse
    from cec_eval.tasks.metrics import process_results

    scores: dict[str, dict[str, float]] = {}
    for doc, reply in zip(docs, replies):
        for output, mode in VIEWS:
            for metric, v in process_results(doc, [analyse(reply, output, mode or "strict")]).items():
                scores.setdefault(f"{metric}/{mode or output}", {})[str(doc["id"])] = float(v)
    return scores


def main(argv: list[str] | None = None) -> int:
    from cec_eval.distill import sft
    from cec_eval.distill.experiment import SFT_OVERRIDES, _fmt, _paired_stats, prepare_data
    from cec_eval.io import atomic_write_text
    from cec_eval.resources import smollm2_model_dir
    from cec_eval.tasks.prompts import gsm8k_prompt

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="128,2000,7473", help="training items per student, comma-separated")
    ap.add_argument("--eval-items", type=int, default=200, help="first N GSM8K test items")
    ap.add_argument("--max-new-tokens", type=int, default=384)
    ap.add_argument("--batch-size", type=int, default=100, help="generation batch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-steps", type=int, default=100, help="SFT checkpoint interval (the CPU experiment's 5 "
                    "would write hundreds of checkpoints at 7,473 items)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    base_model = smollm2_model_dir()
    docs = test_docs(args.eval_items)
    prompts = [gsm8k_prompt(d) for d in docs]
    import torch

    results: dict[str, Any] = {"args": vars(args), "device": torch.cuda.get_device_name(0) if torch.cuda.is_available()
                               else "cpu", "torch": torch.__version__, "students": {}, "checkpoints": {}}
    ci = lambda e: f"{_fmt(e['mean'])} [{_fmt(e['ci95'][0])}, {_fmt(e['ci95'][1])}]"  # noqa: E731
    scores: dict[str, dict[str, dict[str, float]]] = {}

    def evaluate(name: str, adapter: str | None) -> None:
        t = time.time()
        replies = generate(base_model, adapter, prompts, args.max_new_tokens, args.batch_size)
        scores[name] = grade(docs, replies)
        with open(out / f"samples_{name}.jsonl", "w", encoding="utf-8") as fh:
            for d, r in zip(docs, replies):
                fh.write(json.dumps({"id": d["id"], "gold": d["gold"], "reply": r}, ensure_ascii=False) + "\n")
        results["checkpoints"][name] = {"generation_wall_s": round(time.time() - t, 1),
                                        "means": {k: sum(v.values()) / len(v) for k, v in scores[name].items()}}

    def write() -> None:
        # after every student, so a run cut short keeps what it measured
        rows = [{"student": name, "metric": key, **_paired_stats(scores["base"][key], scores[name][key])}
                for name in scores if name != "base" for key in scores["base"]]
        results["rows"] = rows
        results["wall_s"] = round(time.time() - t0, 1)
        atomic_write_text(out / "results.json", json.dumps(results, indent=1))
        lines = ["| student | train rows | metric | n | base [95% CI] | Claire [95% CI] | Δ [95% CI] | p |",
                 "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            st = results["students"][r["student"]]
            lines.append(f"| {r['student']} | {st['train_rows']} | {r['metric']} | {r['n']} | {ci(r['base'])} | "
                         f"{ci(r['claire'])} | {ci(r['delta'])} | {_fmt(r['delta']['pvalue'])} |")
        atomic_write_text(out / "results.md", "\n".join(lines) + "\n")
        print("\n".join(lines), flush=True)

    evaluate("base", None)
    for n in sizes:
        run = out / f"claire-{n}"
        run.mkdir(exist_ok=True)
        _, train, eval_, _, _ = prepare_data(run, n, args.seed, base_model)
        t = time.time()
        res = sft.train(train, run / "model", base_model=base_model, eval_data=eval_ or None, preset="claire",
                        overrides={**SFT_OVERRIDES, "save_steps": args.save_steps})
        curve = res.get("loss_curve", {}).get("train", [])
        results["students"][f"claire-{n}"] = {
            "train_rows": len(train), "eval_rows": len(eval_), "global_steps": res.get("global_steps"),
            "train_loss_first_last": [curve[0]["loss"], curve[-1]["loss"]] if curve else None,
            "eval_loss": res.get("eval_loss"), "sft_wall_s": round(time.time() - t, 1)}
        evaluate(f"claire-{n}", res["adapter"])
        write()
    print(json.dumps({k: results[k] for k in ("device", "students", "wall_s")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
