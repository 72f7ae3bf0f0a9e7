"""Formatting step: traces / augmented rows -> prompt/completion SFT records, a seeded train/eval
split and a data report.

* **Loss on completions only** (seed 002 §3.3): records keep the prompt and the completion apart
  (``prompt`` / ``completion``), which trl's ``SFTTrainer`` turns into labels of -100 over the
  prompt tokens (``completion_only_loss``; verified on token ids in the tests).
* **Chat-template aware**: with ``chat=True`` records are conversational
  (``[{"role": "user", ...}]`` / ``[{"role": "assistant", ...}]``) and the tokenizer's own chat
  template renders them at training time, as it will at inference; ``chat=False`` keeps plain
  strings for base models without a template.
* **Native special tokens** (seed 002 §3.3): ``token_map="qwen"`` rewrites ``<think>`` ->
  ``<|im_start|>think``, ``<causality>`` -> ``<|im_start|>causality``, drops ``</causality>`` and
  turns ``</think>`` into the ``<|im_start|>answer`` marker.
"""
from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from typing import Any, Iterable

from cec_eval.errors import InputError

TOKEN_MAPS: dict[str, list[tuple[str, str]]] = {
    "none": [],
    # seed 002 §3.3: Qwen models respond better to their native markers than to new tags; the
    # closing tags go, and the answer gets its own marker as in seed 002 §4.6's sample output
    # (without it nothing would mark where the reasoning ends; the task pack's parser reads it)
    "qwen": [("</causality>", ""), ("</think>", "<|im_start|>answer"), ("<think>", "<|im_start|>think"),
             ("<causality>", "<|im_start|>causality")],
}


def apply_token_map(text: str, token_map: str = "none") -> str:
    try:
        pairs = TOKEN_MAPS[token_map]
    except KeyError:
        raise InputError(f"token_map {token_map!r}: choose from {list(TOKEN_MAPS)}") from None
    for old, new in pairs:
        text = text.replace(old, new)
    if pairs:
        text = re.sub(r"\n{3,}", "\n\n", text)  # dropped closers leave blank runs
    return text


def _check(rows: list[dict]) -> None:
    for i, row in enumerate(rows):
        for name in ("prompt", "completion"):
            value = row.get(name)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"row {i} (id {row.get('id', '?')!r}): field {name!r} is missing, empty or not text")


def to_record(row: dict, chat: bool = True, token_map: str = "none", system_prompt: str | None = None) -> dict:
    """One SFT record (prompt/completion) from a row with ``prompt`` and ``completion`` text."""
    completion = apply_token_map(row["completion"].strip(), token_map)
    prompt = row["prompt"]
    if chat:
        messages = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
            {"role": "user", "content": prompt}]
        rec = {"prompt": messages, "completion": [{"role": "assistant", "content": completion}]}
    else:
        sep = "" if prompt[-1:].isspace() else " "
        rec = {"prompt": prompt, "completion": sep + completion}
    rec["id"] = str(row.get("id", ""))
    rec["source"] = str(row.get("source", ""))
    rec["kind"] = str(row.get("kind", ""))
    return rec


def split(records: list[dict], eval_fraction: float = 0.1, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Seeded shuffle, then the first ``eval_fraction`` (at least one row when there are >= 2) is eval."""
    if not 0 <= eval_fraction < 1:
        raise InputError(f"eval_fraction must be in [0, 1), got {eval_fraction}")
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    n_eval = int(round(len(records) * eval_fraction))
    if eval_fraction > 0 and n_eval == 0 and len(records) >= 2:
        n_eval = 1
    eval_idx = set(order[:n_eval])
    return ([r for i, r in enumerate(records) if i not in eval_idx], [r for i, r in enumerate(records) if i in eval_idx])


def _text(part: Any) -> str:
    return part if isinstance(part, str) else "\n".join(m["content"] for m in part)


def compliant(rec: dict) -> bool:
    """Format compliance of a completion: the Claire trace format (think + causality + answer) for
    question-answer rows, seed 003's closing phrase for multi-view rows, non-empty text for
    explanations."""
    text = _text(rec["completion"])
    kind = rec.get("kind")
    if kind in ("number", "letter"):
        from cec_eval.tasks.causality import parse_causal_response

        return parse_causal_response(text).compliant
    if kind in ("pvc", "nvc"):
        return "Therefore the answer would" in text
    return bool(text.strip())


def _stats(values: Iterable[int]) -> dict[str, float]:
    values = list(values)
    if not values:
        return {"n": 0}
    return {"n": len(values), "mean": round(statistics.fmean(values), 1), "median": statistics.median(values),
            "max": max(values), "min": min(values)}


def report(train: list[dict], eval_: list[dict], tokenizer: Any = None) -> dict[str, Any]:
    """Counts, lengths (words; tokens when a tokenizer is given) and format compliance."""
    allrec = train + eval_
    out: dict[str, Any] = {
        "records": len(allrec), "train": len(train), "eval": len(eval_),
        "by_source": dict(Counter(r["source"] for r in allrec)), "by_kind": dict(Counter(r["kind"] for r in allrec)),
        "prompt_words": _stats(len(_text(r["prompt"]).split()) for r in allrec),
        "completion_words": _stats(len(_text(r["completion"]).split()) for r in allrec),
    }
    ok = [compliant(r) for r in allrec]
    out["format_compliance"] = round(sum(ok) / len(ok), 4) if ok else None
    out["non_compliant_ids"] = [r["id"] for r, good in zip(allrec, ok) if not good][:20]
    if tokenizer is not None:
        out["completion_tokens"] = _stats(len(tokenizer(_text(r["completion"]), add_special_tokens=False)["input_ids"])
                                          for r in allrec)
        out["prompt_tokens"] = _stats(len(tokenizer(_text(r["prompt"]), add_special_tokens=False)["input_ids"])
                                      for r in allrec)
    return out


def format_rows(rows: list[dict], chat: bool = True, token_map: str = "none", eval_fraction: float = 0.1,
                seed: int = 0, system_prompt: str | None = None, tokenizer: Any = None
                ) -> tuple[list[dict], list[dict], dict[str, Any]]:
    """(train, eval, report) from rows with ``prompt`` and ``completion``."""
    if not rows:
        raise InputError("no rows to format")
    _check(rows)
    records = [to_record(r, chat=chat, token_map=token_map, system_prompt=system_prompt) for r in rows]
    train, eval_ = split(records, eval_fraction, seed)
    rep = report(train, eval_, tokenizer)
    rep.update({"chat": chat, "token_map": token_map, "eval_fraction": eval_fraction, "seed": seed,
                "system_prompt": system_prompt})
    return train, eval_, rep
