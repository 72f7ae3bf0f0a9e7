"""Direction contrast sets from e-CARE train: reference, same-direction paraphrase, reversal.

Each item takes one e-CARE (cause, effect) pair and writes it three ways:

* ``reference``: the pair in one causal template, e.g. "C, so E.";
* ``paraphrase``: the same direction with a different connective *and* clause order, e.g.
  "E because C.";
* ``reversal``: cause and effect swapped, written either in the reference's template
  ("E, so C.": same connective as the reference) or in the paraphrase's ("C because E.": the same
  clause order as the reference, the hardest case for a bag-of-meaning similarity).

Some items also carry e-CARE's conceptual explanation as a second sentence shared by all three
(so sentence alignment across several sentences is exercised). Direction accuracy is the share of
items where the paraphrase scores above the reversal against the reference.

The shipped set (``data/ecare_direction_contrast.jsonl.gz``) is ``build(n=300, seed=13)``;
``python -m cec_eval.causal.contrast OUT`` rebuilds it.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import random
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import InputError

SHIPPED = Path(__file__).parent / "data" / "ecare_direction_contrast.jsonl.gz"
SOURCE = "ecare_explanation_generation_train"

#: cause-first templates ({c} = cause clause, {e} = effect clause, sentence-initial capitalised)
CAUSE_FIRST = [
    "{C}, so {e}.",
    "{C}, and as a result {e}.",
    "{C}, therefore {e}.",
    "{C}, which is why {e}.",
    "{C}; consequently, {e}.",
    "If {c}, then {e}.",
]
#: effect-first templates
EFFECT_FIRST = [
    "{E} because {c}.",
    "Because {c}, {e}.",
    "{E}, since {c}.",
    "{E} due to the fact that {c}.",
    "{E} as a result of the fact that {c}.",
]


def lowercase_words(rows: Iterable[dict]) -> set[str]:
    """Words seen lower-cased inside a sentence: a sentence-initial word not among them (a name,
    "I", an acronym) keeps its capital when the sentence becomes a clause."""
    seen: set[str] = set()
    for row in rows:
        for key in ("cause", "effect"):
            seen.update(w for w in str(row.get(key, "")).split()[1:] if w.islower())
    return seen


def clause(sentence: str, lowercase: set[str] | None = None) -> str:
    """An e-CARE sentence as a clause: no final punctuation, the first letter lower-cased unless
    the first word is a name (not in ``lowercase``, when given), "I" or an acronym."""
    s = " ".join(str(sentence).split()).rstrip(" .!?")
    if not s:
        raise InputError(f"empty clause from {sentence!r}")
    first = s.split()[0]
    if first == "I" or first.startswith("I'") or first[1:] != first[1:].lower():
        return s
    if lowercase is not None and first.lower() not in lowercase:
        return s
    return s[0].lower() + s[1:]


def _fill(template: str, cause: str, effect: str, lowercase: set[str] | None = None) -> str:
    c, e = clause(cause, lowercase), clause(effect, lowercase)
    cap = lambda x: x[:1].upper() + x[1:]  # noqa: E731
    return template.format(c=c, e=e, C=cap(c), E=cap(e))


def make_item(row: dict, rng: random.Random, index: int, lowercase: set[str] | None = None) -> dict[str, Any]:
    for key in ("cause", "effect"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise InputError(f"e-CARE row {row.get('index', index)}: field {key!r} is missing or empty")
    ref_family, para_family = (CAUSE_FIRST, EFFECT_FIRST) if rng.random() < 0.5 else (EFFECT_FIRST, CAUSE_FIRST)
    ref_t, para_t = rng.choice(ref_family), rng.choice(para_family)
    rev_kind = rng.choice(["reference_template", "paraphrase_template"])
    rev_t = ref_t if rev_kind == "reference_template" else para_t
    cause, effect = row["cause"], row["effect"]
    item = {
        "id": f"ecare-{row.get('index', index)}",
        "reference": _fill(ref_t, cause, effect, lowercase),
        "paraphrase": _fill(para_t, cause, effect, lowercase),
        "reversal": _fill(rev_t, effect, cause, lowercase),
        "cause": cause,
        "effect": effect,
        "templates": {"reference": ref_t, "paraphrase": para_t, "reversal": rev_t},
        "reversal_kind": rev_kind,
    }
    explanation = row.get("conceptual_explanation")
    if isinstance(explanation, str) and explanation.strip() and rng.random() < 0.3:
        extra = " " + " ".join(explanation.split()).rstrip(".") + "."
        for key in ("reference", "paraphrase", "reversal"):
            item[key] += extra
        item["shared_sentence"] = True
    return item


def _norm(text: Any) -> str:
    return " ".join(str(text).lower().split()).rstrip(".")


def build(n: int = 300, seed: int = 13, rows: Iterable[dict] | None = None) -> list[dict[str, Any]]:
    """``n`` contrast items from e-CARE train rows (shuffled with ``seed``)."""
    if rows is None:
        from ..resources import read_jsonl

        rows = read_jsonl(SOURCE)
    # a row whose cause and effect are the same sentence has no direction to get wrong
    rows = [r for r in rows if _norm(r.get("cause")) != _norm(r.get("effect"))]
    rng = random.Random(seed)
    picked = rng.sample(range(len(rows)), min(n, len(rows)))
    vocab = lowercase_words(rows)
    return [make_item(rows[i], rng, i, vocab) for i in picked]


def write(items: Sequence[dict], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from ..io import atomic_write

    # mtime=0 and the bare file name so a rebuilt set is byte-identical to the shipped one
    with atomic_write(path, "wb") as fh, (gzip.GzipFile(filename=path.name, mode="wb", fileobj=fh, mtime=0)
                                           if path.suffix == ".gz" else contextlib.nullcontext(fh)) as raw:
        for item in items:
            raw.write((json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


def read_items(path: str | Path, fields: Sequence[str]) -> list[dict[str, Any]]:
    """JSON objects of a contrast-style JSONL file (``.gz`` too, through the one text reader),
    each with non-empty text ``fields``; a bad line is an InputError naming the file and line."""
    from ..io import read_text, text_lines

    items = []
    for n, line in enumerate(text_lines(read_text(path)), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: not JSON ({exc.msg})") from None
        for key in fields:
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise InputError(f"{path}:{n}: field {key!r} is missing or empty")
        items.append(item)
    return items


def load(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The shipped contrast set (or one written by :func:`write`); rows are checked."""
    return read_items(Path(path) if path is not None else SHIPPED, ("reference", "paraphrase", "reversal"))


def direction_scores(scorer: Any, items: Sequence[dict]) -> dict[str, Any]:
    """Score paraphrase and reversal against the reference with a :class:`~cec_eval.CECScorer`
    (one batched call); returns per-item CEC_sym and the direction accuracy."""
    refs = [it["reference"] for it in items]
    res = scorer.score([it["paraphrase"] for it in items] + [it["reversal"] for it in items], refs + refs)
    para, rev = res.sym[: len(items)], res.sym[len(items):]
    wins = [p > r for p, r in zip(para, rev)]
    return {
        "accuracy": sum(wins) / len(wins) if wins else float("nan"),
        "n": len(wins),
        "paraphrase": para,
        "reversal": rev,
        "signature": res.signature,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=str(SHIPPED))
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    path = write(build(args.n, args.seed), args.out)
    print(f"wrote {args.n} items to {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
