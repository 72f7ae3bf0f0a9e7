"""``cec-eval tasks-path``: print the folder of the lm-eval task pack, for ``--include_path``."""
from __future__ import annotations

import argparse

NAME = "tasks-path"
HELP = "print the lm-eval task folder (use: lm_eval --include_path \"$(cec-eval tasks-path)\" --tasks climate_fever_cec ...)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--list", action="store_true", help="also list the task names, one per line (to stderr)")


def run(args: argparse.Namespace) -> int:
    import sys

    from cec_eval.tasks import TASKS, include_path

    print(include_path())
    if args.list:
        for name in TASKS:
            print(name, file=sys.stderr)
    return 0
