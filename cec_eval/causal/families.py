"""Direction contrast sets by connective *family*, from e-CARE train, with a held-out split.

A family is one way of stating cause → effect (``FAMILIES``): a connective class from the PDTB
sense inventory (Result adverbials, Reason subordinators, prepositional Reason markers, causal
verbs) and where the two events sit (one sentence, or two sentences joined by a backward-pointing
connective). Every item takes one e-CARE (cause, effect) pair and writes:

* ``reference``: the pair in a template of the item's family;
* ``paraphrase``: the same direction in a template of *another* family;
* three reversals (cause and effect swapped), each a separate contrast:
  ``reversal_reference`` (the reference's own template), ``reversal_paraphrase`` (the paraphrase's
  template) and ``reversal_flipped`` (the events in the reference's order, with a connective of the
  opposite direction: "C, so E." → "C because E.").

Direction accuracy of a family = the share of (item, reversal) contrasts whose paraphrase scores
above the reversal against the reference, over the family's items (the family of the reference).

Split: an e-CARE row is *held out* when ``crc32(index) % 4 == 0`` (about a quarter) and it is not
one of the rows of the earlier shipped contrast set (``contrast.SHIPPED``, which the variant was
developed on); development looks only at the ``dev`` split. The split depends on the row's
``index`` only, so it is the same in every build and every order of the file.

Leave-one-family-out: the family's connectives (every phrase its templates use,
:func:`family_connectives`) are removed from the link lexicon (``CausalMatcher(exclude=...)``) and
the family is scored again. It measures what a family owes to its own lexicon entries (a family
the lexicon does not know falls back to plain cosine) and, on the other families, that the rules
do not lean on one family's entries.
"""
from __future__ import annotations

import random
import re
import zlib
from typing import Any, Iterable, Sequence

from ..errors import InputError
from .contrast import _norm, clause, lowercase_words

CAUSE, EFFECT = "cause", "effect"

#: family -> (direction of its connectives, templates); {C}/{c} = cause clause (capitalised / as is),
#: {E}/{e} = effect clause. Every template names one connective of the family.
FAMILIES: dict[str, list[str]] = {
    "result adverbial, one sentence": [
        "{C}, so {e}.", "{C}; therefore, {e}.", "{C}, and consequently {e}.", "{C}; hence {e}.",
        "{C}, thus {e}.", "{C}, and accordingly {e}.",
    ],
    "reason subordinator, effect first": ["{E} because {c}.", "{E}, since {c}.", "{E}, as {c}."],
    "reason subordinator, sentence-initial": ["Because {c}, {e}.", "Since {c}, {e}.", "Now that {c}, {e}."],
    "reason prepositional (due to the fact that ...)": [
        "{E} due to the fact that {c}.", "{E} owing to the fact that {c}.", "{E} because of the fact that {c}.",
        "Due to the fact that {c}, {e}.", "{E} on account of the fact that {c}.",
    ],
    "result across sentences (A. As a result, B.)": [
        "{C}. As a result, {e}.", "{C}. Therefore, {e}.", "{C}. Consequently, {e}.", "{C}. Thus, {e}.",
        "{C}. For this reason, {e}.", "{C}. Because of this, {e}.", "{C}. That is why {e}.",
    ],
    "reason across sentences (B. This is because A.)": [
        "{E}. This is because {c}.", "{E}. The reason is that {c}.", "{E}. That is because {c}.",
        "{E}. This is due to the fact that {c}.",
    ],
    "causal verb, active (A. This led to ...)": [
        "{C}. This led to a situation where {e}.", "{C}, which resulted in a situation where {e}.",
        "{C}. This caused a situation in which {e}.", "{C}, and this gave rise to a situation in which {e}.",
    ],
    "causal verb, passive (B. This was caused by ...)": [
        "{E}. This was caused by the fact that {c}.", "{E}. This resulted from the fact that {c}.",
        "{E}. This stems from the fact that {c}.", "{E}, which was brought about by the fact that {c}.",
    ],
}

def family_connectives(family: str) -> list[str]:
    """The lexicon phrases a family's templates are found by: in each template's own words, the
    longest lexicon phrase at each position, less those inside a longer one ("This is because"
    -> "because", "Because of this" -> "because of this"), as the link finder's longest-match
    rule picks them."""
    from .links import LEXICON, spell_out

    phrases = {p for pattern, _, _ in LEXICON for p in spell_out(pattern)}
    out: set[str] = set()
    for template in FAMILIES[family]:
        text = re.sub(r"\{[CcEe]\}", " | ", template).lower()
        words = re.findall(r"[a-z']+|\|", text)
        spans = []
        for i in range(len(words)):
            ends = [j for j in range(i + 1, len(words) + 1) if " ".join(words[i:j]) in phrases]
            if ends:
                spans.append((i, max(ends)))
        kept = [(i, j) for i, j in spans if not any(a <= i and j <= b and (a, b) != (i, j) for a, b in spans)]
        if not kept:
            raise ValueError(f"template {template!r}: no connective of the link lexicon in it")
        out.update(" ".join(words[i:j]) for i, j in kept)
    return sorted(out)


def _first_slot(template: str) -> str:
    """Which event a template states first."""
    pos = lambda *keys: min(p for p in (template.find(k) for k in keys) if p >= 0)  # noqa: E731
    return CAUSE if pos("{C}", "{c}") < pos("{E}", "{e}") else EFFECT


def _fill(template: str, cause: str, effect: str, lowercase: set[str]) -> str:
    c, e = clause(cause, lowercase), clause(effect, lowercase)
    cap = lambda x: x[:1].upper() + x[1:]  # noqa: E731
    return template.format(c=c, e=e, C=cap(c), E=cap(e))


def split_of(index: str, developed_on: set[str]) -> str:
    """``"heldout"`` or ``"dev"`` for an e-CARE row index (see the module docstring)."""
    if index in developed_on:
        return "dev"
    return "heldout" if zlib.crc32(str(index).encode()) % 4 == 0 else "dev"


def _developed_on() -> set[str]:
    from . import contrast

    return {str(it["id"]).removeprefix("ecare-") for it in contrast.load()}


def build(split: str = "dev", per_family: int = 60, seed: int = 17, rows: Iterable[dict] | None = None,
          developed_on: set[str] | None = None) -> list[dict[str, Any]]:
    """``per_family`` items per family from one split (``dev`` or ``heldout``) of e-CARE train.

    Items of different families use different e-CARE rows. Rows whose cause and effect are the
    same sentence, or with an empty field, are skipped. The earlier shipped contrast set's rows
    (``developed_on``, default: read from it) are always ``dev``."""
    if split not in ("dev", "heldout"):
        raise ValueError(f"split must be 'dev' or 'heldout', not {split!r}")
    if rows is None:
        from ..resources import read_jsonl

        rows = read_jsonl("ecare_explanation_generation_train")
    rows = list(rows)
    for n, row in enumerate(rows):
        for key in ("index", "cause", "effect"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise InputError(f"e-CARE row {n}: field {key!r} is missing or empty")
    developed_on = _developed_on() if developed_on is None else developed_on
    vocab = lowercase_words(rows)
    pool = [r for r in rows if split_of(r["index"], developed_on) == split and _norm(r["cause"]) != _norm(r["effect"])]
    rng = random.Random(f"{seed}:{split}")
    rng.shuffle(pool)
    names = list(FAMILIES)
    templates = [(f, t) for f in names for t in FAMILIES[f]]
    items = []
    for k, family in enumerate(names):
        for row in pool[k * per_family:(k + 1) * per_family]:
            ref_t = rng.choice(FAMILIES[family])
            para_f = rng.choice([f for f in names if f != family])
            para_t = rng.choice(FAMILIES[para_f])
            # the flipped reversal: a template whose first slot is the other event, filled swapped,
            # so the events are read in the reference's order with the opposite direction
            flips = [t for f, t in templates if f != family and _first_slot(t) != _first_slot(ref_t)]
            flip_t = rng.choice(flips)
            c, e = row["cause"], row["effect"]
            items.append({
                "id": f"ecare-{row['index']}",
                "split": split,
                "family": family,
                "paraphrase_family": para_f,
                "reference": _fill(ref_t, c, e, vocab),
                "paraphrase": _fill(para_t, c, e, vocab),
                "reversal_reference": _fill(ref_t, e, c, vocab),
                "reversal_paraphrase": _fill(para_t, e, c, vocab),
                "reversal_flipped": _fill(flip_t, e, c, vocab),
                "templates": {"reference": ref_t, "paraphrase": para_t, "flipped": flip_t},
            })
    return items


REVERSALS = ("reversal_reference", "reversal_paraphrase", "reversal_flipped")


def direction_wins(scorer: Any, items: Sequence[dict], reversals: Sequence[str] = REVERSALS) -> dict[str, list[bool]]:
    """Per reversal kind, per item: does the paraphrase score above that reversal against the
    reference (CEC_sym of a :class:`~cec_eval.CECScorer`, one batched call)?"""
    refs = [it["reference"] for it in items]
    texts = [it["paraphrase"] for it in items] + [it[k] for k in reversals for it in items]
    sym = scorer.score(texts, refs * (1 + len(reversals))).sym
    n = len(items)
    para = sym[:n]
    return {k: [p > r for p, r in zip(para, sym[n * (j + 1): n * (j + 2)])] for j, k in enumerate(reversals)}


def accuracy_by_family(items: Sequence[dict], wins: dict[str, list[bool]]) -> dict[str, dict[str, float]]:
    """family -> {reversal kind: accuracy, "all": accuracy over the three kinds, "n": items}."""
    out: dict[str, dict[str, float]] = {}
    for family in dict.fromkeys(it["family"] for it in items):
        idx = [i for i, it in enumerate(items) if it["family"] == family]
        row: dict[str, float] = {k: sum(v[i] for i in idx) / len(idx) for k, v in wins.items()}
        row["all"] = sum(sum(v[i] for i in idx) for v in wins.values()) / (len(idx) * len(wins))
        row["n"] = len(idx)
        out[family] = row
    return out


def load_blind(path=None) -> list[dict[str, Any]]:
    """The blind set (``data/blind_direction.jsonl``): items written before the link lexicon was
    read, in their own phrasings; fields ``reference``, ``paraphrase``, ``reversal_reference``,
    ``reversal_paraphrase``. A missing or empty field is an InputError naming the line."""
    from pathlib import Path

    from .contrast import read_items

    path = Path(path) if path is not None else Path(__file__).parent / "data" / "blind_direction.jsonl"
    items = read_items(path, ("reference", "paraphrase", "reversal_reference", "reversal_paraphrase"))
    for item in items:
        item.setdefault("family", "blind")
    return items


#: pieces of pseudo-words (:func:`pseudo_word_rows`)
_ONSETS = ("bl", "gr", "fl", "d", "w", "t", "sn", "pr", "k", "m", "v", "z", "st", "gl", "tr", "br", "sk", "pl")
_NUCLEI = ("a", "e", "i", "o", "u", "oo", "ee", "ai", "ou")
_CODAS = ("x", "b", "k", "m", "p", "nt", "g", "sh", "rk", "ld", "ft", "z")


def pseudo_word_rows(n: int = 600, seed: int = 3) -> list[dict[str, str]]:
    """``n`` e-CARE-shaped rows (``index``, ``cause``, ``effect``) whose events are made of
    pseudo-words ("the brib grooldplebed" / "the stouk skuzbraxed loudly"), for :func:`build`
    (``rows=..., developed_on=set()``): the families' templates with no world knowledge in them, so
    a direction read from which event is the plausible cause scores at chance and only the wording
    decides (the "colorless green" probe of Gulordava et al. 2018, NAACL, applied to direction)."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS) for _ in range(rng.choice((1, 1, 2))))

    nouns = sorted({word() for _ in range(400)})
    verbs = sorted({word() for _ in range(400)} - set(nouns))
    rows = []
    for i in range(n):
        a, b = rng.sample(nouns, 2)
        v1, v2 = rng.sample(verbs, 2)
        tail = rng.choice(["", " again", " loudly", " near the " + rng.choice(nouns)])
        rows.append({"index": f"pw{i}", "cause": f"the {a} {v1}ed", "effect": f"the {b} {v2}ed{tail}"})
    return rows
