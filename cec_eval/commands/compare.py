"""``cec-eval compare``: Table 1 (all metrics, bootstrap CIs) and the §4.3 tests for named systems."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "compare"
HELP = "Table 1 for several systems: BLEU, ROUGE-1/2/L, METEOR, BERTScore, CEC with 95% CIs, §4.3 tests and a PNG"


STRUCTURED = (".jsonl", ".ndjson", ".json", ".csv", ".tsv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--references", "-r", required=True, help="file of reference explanations (a row may hold a list)")
    parser.add_argument("--ref-field", help="field/column holding references (JSONL/CSV)")
    parser.add_argument(
        "--system", "-s", action="append", required=True, metavar="[NAME=]FILE",
        help="a system's explanations, one per reference row; repeat for each system (NAME defaults to the file stem)",
    )
    parser.add_argument("--field", help="field/column holding each system's explanations (JSONL/CSV)")
    parser.add_argument("--metrics", "-m", default="all", help="comma list of bleu,rouge1,rouge2,rougeL,meteor,bertscore,cec (default all)")
    parser.add_argument("--out-dir", "-o", help="write table.md, table.csv, comparison.json and distributions.png here")
    parser.add_argument("--format", "-f", choices=("markdown", "csv", "json"), default="markdown", help="what to print on stdout")
    parser.add_argument("--plot", help="PNG path for the per-item score distributions (default: OUT_DIR/distributions.png)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the CIs and the pair sample (default 0)")
    parser.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples per CI (default 1000)")
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--sample", default="100", help="pairs sampled for the metric-vs-metric tests: a number or 'all' (default 100, as the paper)")
    parser.add_argument("--metric-pair", action="append", metavar="A,B", help="metric pairs to test on the same explanations (default cec,bertscore)")
    parser.add_argument("--baseline", help="system the others are tested against (default: the first)")
    parser.add_argument("--paired-bs", type=int, default=1000, metavar="N", help="paired bootstrap resamples (default 1000, as sacrebleu)")
    parser.add_argument("--paired-ar", type=int, default=10000, metavar="N", help="approximate randomisation trials (default 10000, as sacrebleu)")
    parser.add_argument("--test-seed", type=int, default=12345, help="seed of the paired system tests (default 12345, as sacrebleu)")
    parser.add_argument("--bertscore-model", help="BERTScore backbone: a local folder or a backbone name (minilm, mpnet; default: the MiniLM shipped)")
    parser.add_argument("--bertscore-layer", type=int, default=None, help="layer (default: the backbone's last: 6 for MiniLM)")
    parser.add_argument("--bertscore-baseline", help="rescale BERTScore: a bert-score baseline CSV (LAYER,P,R,F), or 'auto' (random e-CARE pairs, computed once and cached)")
    add_cec_arguments(parser)
    parser.add_argument("--require-wordnet", action="store_true", help="fail instead of running METEOR without WordNet synonyms")
    parser.add_argument("--no-progress", action="store_true")


def add_cec_arguments(parser: argparse.ArgumentParser) -> None:
    """The CEC scorer options of the multi-metric commands (``compare``, ``correlate``)."""
    parser.add_argument("--cec-model", help="local sentence-transformers folder for CEC (default: all-MiniLM-L6-v2)")
    parser.add_argument("--cec-splitter", help="CEC sentence splitter (see 'cec-eval score --help')")
    from .score import aggregation_rule, variant_name

    parser.add_argument("--cec-variant", type=variant_name, help="plain (the paper's CEC, default) or causal (docs/causal_cec.md)")
    parser.add_argument("--cec-aggregation", type=aggregation_rule, help="mean (Eq. 2) or f<beta>, e.g. f3 (default: the variant's)")
    parser.add_argument("--cec-multi-ref", choices=("max-sym", "mean"), help="several references: best (default) or mean")
    from .score import BACKEND_HELP, CACHE_DIR_HELP, backend_name

    parser.add_argument("--cec-backend", "--backend", dest="cec_backend", type=backend_name,
                        help="CEC's " + BACKEND_HELP + " (BERTScore always runs on torch)")
    parser.add_argument("--cec-cache-dir", "--cache-dir", dest="cec_cache_dir", metavar="DIR", help="CEC's " + CACHE_DIR_HELP)


def cec_options(args: argparse.Namespace) -> dict:
    """CECScorer keyword arguments from :func:`add_cec_arguments`' options (only those given)."""
    names = ("model", "splitter", "variant", "aggregation", "multi_ref", "backend", "cache_dir")
    options = {k: getattr(args, f"cec_{k}") for k in names if getattr(args, f"cec_{k}", None) is not None}
    if args.no_progress:
        options["show_progress"] = False
    return options


def parse_systems(specs: list[str]) -> dict[str, Path]:
    """``NAME=FILE`` or ``FILE`` (name = stem) → ordered {name: path}; duplicate names are an error."""
    from ..errors import InputError

    out: dict[str, Path] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if sep and not Path(spec).exists():  # a file literally named "a=b" still works
            name, file = name.strip(), Path(path)
        else:
            file = Path(spec)
            name = file.stem
        if not name:
            raise InputError(f"--system {spec!r}: empty system name")
        if name in out:
            raise InputError(f"--system {spec!r}: a system named {name!r} was already given (use NAME=FILE)")
        out[name] = file
    return out


def parse_sample(text: str) -> int | None:
    from ..errors import InputError

    if text.lower() == "all":
        return None
    try:
        n = int(text)
    except ValueError:
        raise InputError(f"--sample must be a number or 'all', not {text!r}") from None
    if n < 2:
        raise InputError(f"--sample must be at least 2 (or 'all'), not {n}")
    return n


def check_numbers(args: argparse.Namespace) -> None:
    from ..errors import InputError

    if not 0 < args.confidence < 1:
        raise InputError(f"--confidence must be between 0 and 1, not {args.confidence}")
    if args.n_resamples < 10:
        raise InputError(f"--n-resamples must be at least 10, not {args.n_resamples}")


def check_bertscore_baseline(path: str) -> None:
    """A bert-score baseline CSV (``LAYER,P,R,F``, one row per layer), read with the one reader
    and checked before any model is loaded; errors name the file, row and field."""
    from ..errors import InputError
    from ..io import read_records

    rows = read_records(path)  # a missing file, a folder, bad bytes or a ragged row: one line
    if Path(path).suffix.lower() != ".csv":
        raise InputError(f"--bertscore-baseline {path}: expected a .csv file (LAYER,P,R,F) or 'auto'")
    if not rows:
        raise InputError(f"{path}: no rows")
    if len(rows[0]) != 4:
        raise InputError(f"{path}: expected 4 columns LAYER,P,R,F, got {list(rows[0])}")
    for i, row in enumerate(rows):
        for name, value in row.items():
            try:
                float(value)
            except (TypeError, ValueError):
                raise InputError(f"{path}: row {i}: field {name!r} is not a number: {value!r:.40}") from None


def run(args: argparse.Namespace) -> int:
    check_numbers(args)
    if args.bertscore_baseline and args.bertscore_baseline != "auto":
        check_bertscore_baseline(args.bertscore_baseline)
    from ..compare import compare_systems
    from ..errors import InputError
    from ..io import atomic_write_text, read_texts, write_json
    from ..metrics import parse_metrics

    references = read_texts(args.references, args.ref_field, role="reference")
    systems = {}
    for name, path in parse_systems(args.system).items():
        try:
            # --field names a column; plain-text files have none.
            field = args.field if path.suffix.lower() in STRUCTURED else None
            systems[name] = read_texts(path, field, role="prediction")
        except InputError as e:
            raise InputError(f"system {name!r}: {e}") from None
    pairs = []
    for spec in args.metric_pair or ["cec,bertscore"]:
        names = parse_metrics(spec)
        if len(names) != 2:
            raise InputError(f"--metric-pair {spec!r}: name exactly two different metrics")
        pairs.append(tuple(names))
    options: dict[str, dict] = {
        "bertscore": {"model": args.bertscore_model, "layer": args.bertscore_layer, "baseline_path": args.bertscore_baseline},
        "meteor": {"require_wordnet": args.require_wordnet},
        "cec": cec_options(args),
    }
    result = compare_systems(
        references,
        systems,
        metrics=args.metrics,
        metric_options=options,
        confidence=args.confidence,
        n_resamples=args.n_resamples,
        seed=args.seed,
        sample=parse_sample(args.sample),
        metric_pairs=pairs,
        baseline=args.baseline,
        paired_bs_resamples=args.paired_bs,
        paired_ar_trials=args.paired_ar,
        test_seed=args.test_seed,
        progress=False if args.no_progress else None,
    )
    for note in result.notes():
        print(f"WARNING: {note}", file=sys.stderr)
    plot = args.plot
    if args.out_dir:
        out = Path(args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "table.md", result.to_markdown())
        atomic_write_text(out / "table.csv", result.to_csv())
        write_json(result.to_dict(), out / "comparison.json")
        plot = plot or out / "distributions.png"
    if plot:
        result.plot(plot)
    if args.format == "json":
        write_json(result.to_dict(details=False), "-")
    elif args.format == "csv":
        sys.stdout.write(result.to_csv())
    else:
        sys.stdout.write(result.to_markdown())
    if args.out_dir:
        print(f"wrote {args.out_dir}/table.md, table.csv, comparison.json" + (f", {plot}" if plot else ""), file=sys.stderr)
    elif plot:
        print(f"wrote {plot}", file=sys.stderr)
    return 0
