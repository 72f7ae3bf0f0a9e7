"""``cec-eval baseline``: compute the rescaling baseline b for an embedding model."""
from __future__ import annotations

import argparse
import json

from .score import add_scorer_arguments

NAME = "baseline"
HELP = "compute the CEC rescaling baseline (mean CEC of mismatched Climate-FEVER pairs) for a model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scorer_arguments(parser)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="use only the first N corpus explanations")
    parser.add_argument("--output", "-o", help="baselines JSON to create or update (pass it later as --baseline-file)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..baseline import baseline_key, compute_baseline
    from ..io import write_json
    from ..scorer import CECScorer
    from .score import read_baseline_table

    # an existing table is checked before the model is loaded: a bad file fails in a second
    table = read_baseline_table(args.output) if args.output and Path(args.output).exists() else {}

    scorer = CECScorer(model=args.model, splitter=args.splitter, variant=args.variant, aggregation=args.aggregation,
                       multi_ref=args.multi_ref, batch_size=args.batch_size, device=args.device,
                       backend=args.backend, cache_dir=args.cache_dir)
    entry = compute_baseline(scorer, seed=args.seed, limit=args.limit)
    key = baseline_key(scorer)
    if args.output:
        table[key] = entry
        write_json(table, args.output)
    print(json.dumps({key: entry}, indent=2))
    return 0
