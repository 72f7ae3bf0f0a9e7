"""``cec-eval correlate``: agreement of every metric with human ratings."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .compare import add_cec_arguments, cec_options, check_numbers  # shared with compare

NAME = "correlate"
HELP = "Kendall tau-b / Spearman / Pearson of each metric with human ratings, pooled and within groups, with bootstrap CIs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", "-d", help="JSONL/CSV with one rated explanation per row (explanation, reference, rating[, group])")
    from ..correlate import RATED_DATASETS

    src.add_argument("--dataset", choices=sorted(RATED_DATASETS),
                     help="a shipped rated dataset: COPA-SSE dev, or Wiegreffe et al. 2022's CQA/SNLI train "
                          "(each explanation vs the other explanations of its question/item)")
    parser.add_argument("--prediction-field", default=None, help="column of explanations (default: prediction/explanation/text)")
    parser.add_argument("--reference-field", default="reference", help="column of references; a cell may hold a list (default: reference)")
    parser.add_argument("--references", help="references in a separate file, row-aligned with --data")
    parser.add_argument("--rating-field", default="rating", help="column of human ratings (default: rating)")
    parser.add_argument("--group-field", help="column grouping rows (e.g. question id): within-group correlations and CIs over groups")
    parser.add_argument("--score-field", action="append", default=[], metavar="COLUMN", help="also correlate a score column computed elsewhere (repeatable)")
    parser.add_argument("--metrics", "-m", default="all", help="comma list of bleu,rouge1,rouge2,rougeL,meteor,bertscore,cec (default all)")
    parser.add_argument("--limit", type=int, help="with --dataset: only the first N questions")
    parser.add_argument("--n-resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--format", "-f", choices=("markdown", "csv", "json"), default="markdown")
    parser.add_argument("--output", "-o", help="also write the full JSON report here")
    add_cec_arguments(parser)
    parser.add_argument("--no-progress", action="store_true")


def _column(rows: list[dict], name: str, path: str) -> list:
    from ..errors import InputError

    if not rows:
        raise InputError(f"{path}: no rows")
    out = []
    for i, row in enumerate(rows):
        if name not in row:
            raise InputError(f"{path}: row {i} has no field {name!r}; fields are {sorted(row)}")
        out.append(row[name])
    return out


def run(args: argparse.Namespace) -> int:
    check_numbers(args)
    import json

    from ..correlate import correlate, rated_items
    from ..errors import InputError
    from ..io import pick_field, read_records, read_texts, write_json

    extra: dict[str, list] = {}
    if args.dataset:
        data = rated_items(args.dataset, limit_questions=args.limit)
        predictions, references, ratings, groups = data["predictions"], data["references"], data["ratings"], data["groups"]
    else:
        rows = read_records(args.data)
        pfield = pick_field(rows, args.prediction_field, ("prediction", "explanation", "text", "output"), args.data)
        predictions = _column(rows, pfield, args.data)
        if args.references:
            references = read_texts(args.references, None, role="reference")
            if len(references) != len(rows):
                raise InputError(f"{args.references} has {len(references)} rows but {args.data} has {len(rows)}")
        else:
            references = _column(rows, args.reference_field, args.data)
        references = [_maybe_list(r, Path(args.data).suffix) for r in references]
        ratings = _column(rows, args.rating_field, args.data)
        groups = [str(g) for g in _column(rows, args.group_field, args.data)] if args.group_field else None
        for col in args.score_field:
            extra[col] = _column(rows, col, args.data)
        for i, p in enumerate(predictions):
            if not isinstance(p, str):
                raise InputError(f"{args.data}: row {i}: field {pfield!r} is not text")
        rsource, rfield = (args.references, "reference") if args.references else (args.data, args.reference_field)
        for i, r in enumerate(references):
            if not (isinstance(r, str) or (isinstance(r, list) and r and all(isinstance(x, str) for x in r))):
                raise InputError(f"{rsource}: row {i}: field {rfield!r} must be text or a non-empty list of text")
        for i, v in enumerate(ratings):
            if not _finite(v):
                raise InputError(f"{args.data}: row {i}: field {args.rating_field!r} is not a finite number: {v!r:.40}")
        for col, values in extra.items():
            for i, v in enumerate(values):
                try:
                    float(v)
                except (TypeError, ValueError):
                    raise InputError(f"{args.data}: row {i}: score column {col!r} is not a number: {v!r:.40}") from None
    metrics = args.metrics if args.metrics.lower() != "none" else []
    report = correlate(
        predictions, references, ratings, groups, metrics=metrics, extra_scores=extra,
        metric_options={"cec": cec_options(args)},
        n_resamples=args.n_resamples, seed=args.seed, confidence=args.confidence,
        progress=False if args.no_progress else None,
    )
    for note in report.notes:
        print(f"WARNING: {note}", file=sys.stderr)
    if args.output:
        write_json(report.to_dict(), args.output)
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(report.to_csv())
    else:
        sys.stdout.write(report.to_markdown())
    return 0


def _finite(value) -> bool:
    """A rating/score cell: a number, or text holding one (CSV), and finite."""
    import math

    if isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _maybe_list(value, suffix: str):
    """A CSV cell holding a JSON list of references is that list."""
    import json

    if isinstance(value, str) and value.startswith("[") and suffix.lower() in (".csv", ".tsv"):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return value
        if isinstance(parsed, list):
            return parsed
    return value
