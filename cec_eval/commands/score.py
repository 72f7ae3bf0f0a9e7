"""``cec-eval score``: CEC of predictions against references from files."""
from __future__ import annotations

import argparse
import re
import sys
import warnings

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
    parser.add_argument("--chunk-size", type=positive_int, default=DEFAULT_CHUNK, metavar="N",
                        help=f"score N pairs at a time and drop the in-memory embeddings between chunks, so memory "
                        f"is bounded by the chunk, not the corpus (default {DEFAULT_CHUNK:,}); results are the same; "
                        "with --cache-dir a sentence seen in an earlier chunk comes back from disk, without it "
                        "it is encoded again")
    parser.add_argument("--no-progress", action="store_true")


#: pairs per chunk: ~97,000 sentences to encode on the scale corpus; one such chunk peaked at 2.3 GB
#: RSS with onnx-int8, 100,000 pairs in chunks at 3.0 GB (docs/benchmarks.md, "At scale")
DEFAULT_CHUNK = 10_000


def positive_int(text: str) -> int:
    """argparse type for ``--chunk-size``: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


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


_ROW = re.compile(r"\b(predictions|references)\[(\d+)\]")


def score_in_chunks(scorer, predictions, references, chunk_size: int, *, details: bool = False,
                    progress: bool = False):
    """``scorer.score`` over the corpus ``chunk_size`` pairs at a time, as one :class:`CECResult`.

    Each pair's score depends on that pair alone and the corpus score is the mean of the per-pair
    scores (``CECResult.mean``), so concatenating the chunks' per-pair lists gives the unchunked
    result; row numbers (empty predictions, warnings, errors) are those of the whole corpus, and
    the signature's ``nrefs`` is the whole corpus's. The scorer's in-memory caches are dropped
    after each chunk (:meth:`CECScorer.clear_cache`), so peak memory follows the chunk size.
    With more than one chunk, one progress bar (pairs, with ETA) covers the corpus.

    Args:
        predictions: n str; references: n rows of str or lists of str (see ``CECScorer.score``).
        chunk_size: pairs per chunk (>= 1).

    Raises:
        InputError: bad input, naming the row of the whole corpus.
    """
    from tqdm.auto import tqdm

    from ..errors import InputError
    from ..inputs import EmptyPredictionWarning, check_pairs, nrefs, warn_empty
    from ..scorer import CECResult, TruncationWarning

    preds, refs = check_pairs(predictions, references)  # every row checked before any encoding
    if len(preds) <= chunk_size:
        return scorer.score(preds, refs, details=details)
    parts = []
    with tqdm(total=len(preds), desc="CEC", unit="pair", disable=not progress) as bar:
        for start in range(0, len(preds), chunk_size):
            stop = min(start + chunk_size, len(preds))
            # the chunk's warnings name chunk rows: kept back, then said once for the corpus
            with warnings.catch_warnings(record=True) as caught:
                try:
                    parts.append((start, scorer.score(preds[start:stop], refs[start:stop], details=details)))
                except InputError as e:
                    shifted = _ROW.sub(lambda m: f"{m[1]}[{int(m[2]) + start}]", str(e), count=1)
                    raise InputError(shifted) from None
                finally:
                    scorer.clear_cache()
            for w in caught:
                if not issubclass(w.category, (EmptyPredictionWarning, TruncationWarning)):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            bar.update(stop - start)

    def joined(name: str) -> list:
        return [x for _, part in parts for x in getattr(part, name)]

    first = parts[0][1]
    result = CECResult(
        joined("forward"), joined("backward"), joined("sym"),
        signature=scorer.signature(nrefs(refs)).format(),
        reference_index=joined("reference_index"),
        empty_predictions=[start + i for start, part in parts for i in part.empty_predictions],
        truncated=joined("truncated"),
        max_length=first.max_length,
        alignments=joined("alignments") if details else None,
        raw=None if first.raw is None else {d: [x for _, part in parts for x in part.raw[d]] for d in first.raw},
    )
    warn_empty("CEC", result.empty_predictions, len(result))
    if any(result.truncated):
        warnings.warn(result.notes[-1], TruncationWarning, stacklevel=2)
    return result


def run(args: argparse.Namespace) -> int:
    from ..io import read_texts, write_json
    from ..scorer import CECScorer

    predictions = read_texts(args.predictions, args.pred_field, role="prediction")
    references = read_texts(args.references, args.ref_field, role="reference")
    chunked = len(predictions) > args.chunk_size
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
        # chunked: the one bar of score_in_chunks instead of one per chunk
        show_progress=False if args.no_progress or chunked else (len(predictions) >= 200 or None),
    )
    if args.rescale:
        scorer_baseline(scorer, args.baseline_file)
    result = score_in_chunks(scorer, predictions, references, args.chunk_size, details=args.details,
                             progress=not args.no_progress)
    if args.output:
        write_json(result.to_dict(), args.output)
    stream = sys.stderr if args.output == "-" else sys.stdout
    print(_summary(result, len(result.empty_predictions)), file=stream)
    if args.details and args.show_worst:
        print(_worst(result, args.show_worst), file=stream)
    return 0
