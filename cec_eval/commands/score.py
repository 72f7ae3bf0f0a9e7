"""``cec-eval score``: CEC of predictions against references from files."""
from __future__ import annotations

import argparse
import sys

NAME = "score"
HELP = "CEC of predictions against references (JSONL, CSV/TSV or plain text, one item per row)"


def aggregation_rule(text: str) -> str:
    """argparse type for ``--aggregation``: a bad rule is a usage error (exit 2), not a traceback."""
    from ..aggregate import check_rule

    try:
        return check_rule(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def variant_name(text: str) -> str:
    """argparse type for ``--variant``: one of the registered variants."""
    from ..matchers import VARIANTS

    if text not in VARIANTS:
        raise argparse.ArgumentTypeError(f"unknown CEC variant {text!r}; choose from {', '.join(sorted(VARIANTS))}")
    return text


def backend_name(text: str) -> str:
    """argparse type for ``--backend``: one of :data:`cec_eval.backends.BACKENDS`."""
    from ..backends import check_backend

    try:
        return check_backend(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


BACKEND_HELP = ("encoder runtime: torch (fp32, default), onnx (ONNX Runtime fp32) or onnx-int8 (int8, ~2x faster "
                "on CPU; exported once into the cache; needs onnxruntime); see docs/benchmarks.md")
CACHE_DIR_HELP = ("folder of the persistent embedding cache, shared across runs and processes "
                  "(default: $CEC_EVAL_EMBED_CACHE if set, else none)")


def add_scorer_arguments(parser: argparse.ArgumentParser) -> None:
    """Options that configure a CECScorer (shared with ``cec-eval baseline``)."""
    parser.add_argument("--model", help="local sentence-transformers folder (default: all-MiniLM-L6-v2, shipped)")
    parser.add_argument("--splitter", default=None, help="nupunkt (default), pysbd, syntok, regex, none; line mode suffix +smart (default), +lines, +none")
    parser.add_argument("--variant", default="plain", type=variant_name, help="plain (the paper's CEC, default) or causal (direction-aware)")
    parser.add_argument("--aggregation", default=None, metavar="RULE", type=aggregation_rule,
                        help="CEC_sym from forward and backward: mean (Eq. 2) or f<beta>, e.g. f3 (recall-weighted); "
                        "default: mean for both variants")
    parser.add_argument("--multi-ref", default="max-sym", choices=("max-sym", "mean"),
                        help="several references per row: best by CEC_sym (default) or the mean over them")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default=None, help="cpu, cuda, mps (default: sentence-transformers' choice)")
    parser.add_argument("--backend", default=None, type=backend_name, help=BACKEND_HELP)
    parser.add_argument("--cache-dir", default=None, metavar="DIR", help=CACHE_DIR_HELP)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--predictions", "-p", required=True, help="file of generated explanations")
    parser.add_argument("--references", "-r", required=True, help="file of references (a row may hold a list)")
    parser.add_argument("--pred-field", help="field/column holding predictions (JSONL/CSV)")
    parser.add_argument("--ref-field", help="field/column holding references (JSONL/CSV)")
    add_scorer_arguments(parser)
    parser.add_argument("--rescale", action="store_true", help="rescale with the baseline: (x - b) / (1 - b)")
    parser.add_argument("--baseline-file", help="baselines JSON from 'cec-eval baseline' (default: shipped)")
    parser.add_argument("--details", action="store_true", help="add the alignment report (per sentence best matches)")
    parser.add_argument("--output", "-o", help="write the full JSON result here ('-' = stdout)")
    parser.add_argument("--show-worst", type=int, default=3, metavar="K",
                        help="with --details, print the K lowest-scoring instances' weakest matches (default 3)")
    parser.add_argument("--no-progress", action="store_true")


def _summary(result, n_empty: int) -> str:
    m = result.mean
    lines = [
        f"{'':<10}{'forward':>10}{'backward':>10}{'sym':>10}",
        f"{'CEC':<10}{m['forward']:>10.4f}{m['backward']:>10.4f}{m['sym']:>10.4f}",
        f"n = {len(result)} ({n_empty} empty predictions scored 0)",
        *[f"warning: {w}" for w in result.notes if "truncated" in w],  # stdout, not only stderr
        f"signature: {result.signature}",
    ]
    return "\n".join(lines)


def _worst(result, k: int) -> str:
    order = sorted(range(len(result)), key=lambda i: result.sym[i])[:k]
    out = []
    for i in order:
        a = result.alignments[i]
        out.append(f"\n[row {i}] CEC_sym {result.sym[i]:.4f}")
        missed = min(a.reference_to_generated, key=lambda m: m.similarity, default=None)
        extra = min(a.generated_to_reference, key=lambda m: m.similarity, default=None)
        if missed:
            out.append(f"  least covered reference sentence ({missed.similarity:.3f}): {missed.sentence}")
        if extra:
            out.append(f"  least supported generated sentence ({extra.similarity:.3f}): {extra.sentence}")
    return "\n".join(out)


def read_baseline_table(path) -> dict:
    """A baselines JSON (from ``cec-eval baseline``) read with the one reader and checked:
    ``{key: {"forward": x, "backward": x, "sym": x, ...}}``; errors name the file and entry."""
    from ..errors import InputError
    from ..io import read_json

    table = read_json(path)
    if not isinstance(table, dict):
        raise InputError(f"{path}: expected a JSON object of baselines (from 'cec-eval baseline'), got {type(table).__name__}")
    for key, entry in table.items():
        if not isinstance(entry, dict):
            raise InputError(f"{path}: entry {key!r} is {type(entry).__name__}, expected an object")
        for d in ("forward", "backward", "sym"):
            if not isinstance(entry.get(d), (int, float)) or isinstance(entry.get(d), bool):
                raise InputError(f"{path}: entry {key!r}: field {d!r} is missing or not a number")
    return table


def scorer_baseline(scorer, path) -> None:
    """Looks the scorer's baseline up now, so a missing entry is one line before any scoring."""
    from ..errors import InputError

    try:
        scorer.baseline
    except KeyError as e:
        raise InputError(str(e.args[0]) if e.args else f"{path}: no baseline for this scorer") from None


def run(args: argparse.Namespace) -> int:
    from ..io import read_texts, write_json
    from ..scorer import CECScorer

    predictions = read_texts(args.predictions, args.pred_field, role="prediction")
    references = read_texts(args.references, args.ref_field, role="reference")
    if args.baseline_file:
        read_baseline_table(args.baseline_file)
    scorer = CECScorer(
        model=args.model,
        splitter=args.splitter,
        variant=args.variant,
        aggregation=args.aggregation,
        multi_ref=args.multi_ref,
        batch_size=args.batch_size,
        device=args.device,
        backend=args.backend,
        cache_dir=args.cache_dir,
        rescale_with_baseline=args.rescale,
        baseline_file=args.baseline_file,
        show_progress=False if args.no_progress else (len(predictions) >= 200 or None),
    )
    if args.rescale:
        scorer_baseline(scorer, args.baseline_file)
    result = scorer.score(predictions, references, details=args.details)
    if args.output:
        write_json(result.to_dict(), args.output)
    stream = sys.stderr if args.output == "-" else sys.stdout
    print(_summary(result, len(result.empty_predictions)), file=stream)
    if args.details and args.show_worst:
        print(_worst(result, args.show_worst), file=stream)
    return 0
