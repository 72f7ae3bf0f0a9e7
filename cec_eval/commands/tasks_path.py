"""``cec-eval tasks-path``: print the folder of the lm-eval task pack. An installed package needs
no ``--include_path`` (see :mod:`cec_eval.lm_eval_hook`); the folder is for an lm-eval started
without the start-up hook (``python -S``, another environment) and for reading the YAML files."""
from __future__ import annotations

import argparse

NAME = "tasks-path"
HELP = "print the lm-eval task folder (installed, lm_eval --tasks climate_fever_cec needs no --include_path; this is for where the hook is off)"


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
