"""Counterfactual augmentation and multi-view CoT (seed 003 §3) for multiple-choice items.

1. **Mask** (§3.1): the teacher names the topic word; it and the noun phrases found by a real
   parser (:mod:`distill.mask`) become ``[MASK]``.
2. **Counterfactual generation** (§3.2): for every option that is *not* the answer, the teacher
   completes the masked question so that this option becomes correct.
3. **Self-consistency filter** (§3.2): ``n_paths`` (5) reasoning paths are sampled for each
   counterfactual; it is kept only when *more than three* agree with its new answer
   (``min_agree`` = 4).
4. **Multi-view CoT** (§3.3–3.4): for the originals and the kept counterfactuals, a positive-view
   rationale for the answer and a negative-view rationale for each other option, written as
   ``q ⊕ o ⊕ [Direct election] -> r ⊕ Therefore the answer would be ⊕ a`` and
   ``q ⊕ o ⊕ [Elimination method] -> r_k ⊕ Therefore the answer would not be ⊕ o_k``.

Every teacher call goes through a ``complete_many`` backend (the API client or a local model),
so the whole step is cached, resumable and concurrent like the teacher step.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any, Iterable

from cec_eval.errors import InputError

from . import prompts as P
from .mask import MASK, load_parser, mask_text

log = logging.getLogger(__name__)
LETTERS = "ABCDEFGH"


def first_line(text: str | None) -> str:
    for line in (text or "").strip().splitlines():
        line = line.strip().strip('"').strip()
        line = re.sub(r"^(topic word|question completion)\s*:\s*", "", line, flags=re.IGNORECASE)
        if line:
            return line
    return ""


def path_letter(text: str | None, n_options: int) -> str | None:
    """The option letter a sampled reasoning path ends on (strict "The answer is (X)" first)."""
    letters = LETTERS[:n_options]
    text = text or ""
    strict = re.findall(rf"answer is[:\s]*\**\(?([{letters}])\)?", text, flags=re.IGNORECASE)
    if strict:
        return strict[-1].upper()
    loose = re.findall(rf"\(([{letters}])\)", text)
    return loose[-1].upper() if loose else None


def self_consistent(letters: Iterable[str | None], target: str, min_agree: int = 4) -> bool:
    """Seed 003 §3.2: keep when more than three of the five paths (``>= min_agree``) agree."""
    return sum(1 for x in letters if x == target) >= min_agree


def options_block(question: str, options: list[str]) -> str:
    opts = "\n".join(f"({LETTERS[i]}) {o}" for i, o in enumerate(options))
    return f"Question: {question}\nChoices:\n{opts}\n"


def multiview_rows(base_id: str, source: str, question: str, options: list[str], answer: int,
                   pvc: str | None, nvc: dict[int, str], counterfactual: bool, meta: dict | None = None) -> list[dict]:
    """Training rows in the two formats of seed 003 §3.4."""
    rows = []
    qo = options_block(question, options)
    common = {"source": source, "counterfactual": counterfactual, "question": question, "options": options,
              "gold": LETTERS[answer], **({"augment": meta} if meta else {})}
    if pvc:
        rows.append({"id": f"{base_id}:pvc", "kind": "pvc", "prompt": f"{qo}{P.DIRECT}\n",
                     "completion": f"{pvc.strip()}\nTherefore the answer would be ({LETTERS[answer]}) {options[answer]}",
                     **common})
    for k, r in sorted(nvc.items()):
        if r:
            rows.append({"id": f"{base_id}:nvc{LETTERS[k]}", "kind": "nvc", "prompt": f"{qo}{P.ELIMINATION}\n",
                         "completion": f"{r.strip()}\nTherefore the answer would not be ({LETTERS[k]}) {options[k]}",
                         **common})
    return rows


def _answer_index(item: dict) -> int:
    gold = str(item.get("gold", "")).strip().strip("()").upper()
    if len(gold) == 1 and gold in LETTERS[: len(item["options"])]:
        return LETTERS.index(gold)
    raise InputError(f"item {item.get('id')!r}: gold {item.get('gold')!r} is not an option letter")


def augment(items: list[dict], client: Any, n_paths: int = 5, min_agree: int = 4, temperature: float = 0.7,
            max_tokens: int = 512, multiview: bool = True, nlp: Any = None) -> tuple[list[dict], dict[str, Any]]:
    """(rows, summary). ``items`` need ``question``, ``options`` and a letter ``gold``."""
    mc = [it for it in items if it.get("options")]
    if not mc:
        raise InputError("augment needs multiple-choice items (fields 'question', 'options', 'gold')")
    for i, it in enumerate(mc):
        if not isinstance(it.get("question"), str) or not it["question"].strip():
            raise InputError(f"item {i} (id {it.get('id')!r}): field 'question' is missing or empty")
        _answer_index(it)
    if not 0 < min_agree <= n_paths:
        raise InputError(f"min_agree must be in 1..n_paths ({n_paths}), got {min_agree}")
    nlp = nlp or load_parser()
    greedy = {"temperature": 0.0, "max_tokens": 64}
    asked = {"requests": 0, "failed": 0, "truncated": 0}

    def ask(reqs: list[dict], desc: str) -> list:
        """``client.complete_many``, counting what came back unanswered (the one reply rule of
        :func:`cec_eval.chat.reply_problem` decides; a failed row is never used as text)."""
        results = client.complete_many(reqs, desc=desc)
        asked["requests"] += len(results)
        asked["failed"] += sum(not r.ok for r in results)
        asked["truncated"] += sum(bool(getattr(r, "truncated", False)) for r in results)
        return results

    # 1. topic words, then masks
    topics = ask([{"messages": P.topic_word_messages(it["question"]), **greedy} for it in mc], "augment: topic words")
    masked = []
    for it, res in zip(mc, topics):
        topic = first_line(res.text) if res.ok else ""
        if topic and topic.lower() not in it["question"].lower():
            topic = ""  # the topic word must be copied from the text to be maskable
        protect = (it["stem"],) if it.get("stem") else ()
        text, phrases = mask_text(it["question"], topic or None, nlp=nlp, protect=protect)
        masked.append({"topic": topic or None, "masked": text, "phrases": phrases})

    # 2. one counterfactual completion per non-answer option
    cands = []
    for it, m in zip(mc, masked):
        if MASK not in m["masked"]:
            continue
        ans = _answer_index(it)
        for j in range(len(it["options"])):
            if j != ans:
                cands.append({"item": it, "mask": m, "target": j})
    gen = ask(
        [{"messages": P.counterfactual_messages(c["mask"]["masked"], c["item"]["options"], c["item"]["options"][c["target"]]),
          "temperature": 0.0, "max_tokens": 128} for c in cands], "augment: counterfactuals")
    valid = []
    for c, res in zip(cands, gen):
        q = first_line(res.text) if res.ok else ""
        if q and MASK not in q and q.strip() != c["item"]["question"].strip():
            c["question"] = q
            valid.append(c)

    # 3. self-consistency: n_paths sampled answers per counterfactual
    reqs = [{"messages": P.answer_messages(c["question"], c["item"]["options"]), "temperature": temperature,
             "max_tokens": max_tokens, "_sample": s} for c in valid for s in range(n_paths)]
    paths = ask(reqs, "augment: self-consistency")
    kept, agree_hist = [], Counter()
    for i, c in enumerate(valid):
        letters = [path_letter(r.text, len(c["item"]["options"])) if r.ok else None
                   for r in paths[i * n_paths:(i + 1) * n_paths]]
        target = LETTERS[c["target"]]
        agree = sum(1 for x in letters if x == target)
        agree_hist[agree] += 1
        c["agree"] = agree
        if self_consistent(letters, target, min_agree):
            kept.append(c)

    # 4. multi-view CoT for originals and kept counterfactuals
    cases = [{"id": it["id"], "source": it["source"], "question": it["question"], "options": it["options"],
              "answer": _answer_index(it), "counterfactual": False, "meta": None} for it in mc]
    for c in kept:
        cases.append({"id": f"{c['item']['id']}:cf{LETTERS[c['target']]}", "source": c["item"]["source"],
                      "question": c["question"], "options": c["item"]["options"], "answer": c["target"],
                      "counterfactual": True,
                      "meta": {"original_id": c["item"]["id"], "masked": c["mask"]["masked"], "topic": c["mask"]["topic"],
                               "agree": f"{c['agree']}/{n_paths}"}})
    rows: list[dict] = []
    if multiview:
        view_reqs, index = [], []
        for ci, case in enumerate(cases):
            ans_text = f"({LETTERS[case['answer']]}) {case['options'][case['answer']]}"
            view_reqs.append({"messages": P.positive_view_messages(case["question"], case["options"], ans_text),
                              "temperature": 0.0, "max_tokens": max_tokens})
            index.append((ci, None))
            for k, opt in enumerate(case["options"]):
                if k != case["answer"]:
                    view_reqs.append({"messages": P.negative_view_messages(case["question"], case["options"], ans_text,
                                                                           f"({LETTERS[k]}) {opt}"),
                                      "temperature": 0.0, "max_tokens": max_tokens})
                    index.append((ci, k))
        views = ask(view_reqs, "augment: multi-view CoT")
        pvc: dict[int, str] = {}
        nvc: dict[int, dict[int, str]] = {}
        for (ci, k), res in zip(index, views):
            if not res.ok or not (res.text or "").strip():
                continue
            if k is None:
                pvc[ci] = res.text
            else:
                nvc.setdefault(ci, {})[k] = res.text
        for ci, case in enumerate(cases):
            rows += multiview_rows(case["id"], case["source"], case["question"], case["options"], case["answer"],
                                   pvc.get(ci), nvc.get(ci, {}), case["counterfactual"], case["meta"])
    summary = {
        "items": len(mc), "topic_words": sum(1 for m in masked if m["topic"]),
        "masked": sum(1 for m in masked if MASK in m["masked"]), "counterfactual_candidates": len(cands),
        "counterfactuals_generated": len(valid), "counterfactuals_kept": len(kept),
        "self_consistency": {"paths": n_paths, "min_agree": min_agree,
                             "agreement_histogram": {str(k): v for k, v in sorted(agree_hist.items())}},
        "rows": len(rows), "rows_by_kind": dict(Counter(r["kind"] for r in rows)),
        "requests": asked["requests"], "failed_requests": asked["failed"], "truncated_requests": asked["truncated"],
    }
    return rows, summary
