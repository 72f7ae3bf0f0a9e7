"""``cec-eval lm-eval run|ls|validate ...``: lm-eval's own CLI with the cec_eval task pack on its
include path, so ``--tasks climate_fever_cec`` resolves from any working directory.

Everything after ``lm-eval`` goes to lm-eval unchanged; only ``--include_path`` is added (lm-eval
takes a single include path, so giving your own one is refused with a hint rather than silently
dropping either). ``cec-eval lm-eval --model hf --tasks ...`` (no sub-command) means ``run``.
"""
from __future__ import annotations

import argparse

NAME = "lm-eval"
HELP = "run lm-eval with the cec_eval tasks available (e.g. cec-eval lm-eval run --model hf --tasks climate_fever_cec ...)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "lm_eval_args",
        nargs=argparse.REMAINDER,
        metavar="[run|ls|validate] ...",
        help="arguments for lm-eval, passed on unchanged (no sub-command means 'run', as in lm-eval)",
    )
    # argparse's REMAINDER refuses a first token that looks like an option (--model ...), so this
    # sub-parser takes every token verbatim; only a bare -h/--help is its own.
    own_parse = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        args = list(args or [])
        if args in (["-h"], ["--help"]):
            return own_parse(args, namespace)
        ns, _ = own_parse([], namespace)
        ns.lm_eval_args = args
        return ns, []

    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


def build_argv(args: list[str]) -> list[str]:
    """lm-eval's argv with the task pack's include path added (after the sub-command)."""
    from cec_eval.errors import InputError
    from cec_eval.tasks import include_path

    args = list(args)
    if args and args[0] == "--":
        args = args[1:]
    if any(a == "--include_path" or a.startswith("--include_path=") for a in args):
        raise InputError(
            "--include_path: lm-eval takes one include path and cec-eval lm-eval sets it to the task pack; "
            "put your own task folder next to it by running lm_eval --include_path <your folder> and copying or "
            "symlinking $(cec-eval tasks-path) into that folder"
        )
    if not args:
        args = ["--help"]
    if args[0] in ("run", "ls", "validate"):
        sub, rest = args[0], args[1:]
        if not rest or rest in (["-h"], ["--help"]):
            return [sub, *rest]
    else:
        sub, rest = "run", args  # lm-eval's legacy form: no sub-command means 'run'
        if rest in (["-h"], ["--help"]):
            return ["--help"]
    return [sub, *rest, "--include_path", include_path()]


def run(args: argparse.Namespace) -> int:
    import sys

    argv = build_argv(args.lm_eval_args)
    from lm_eval.__main__ import cli_evaluate

    old = sys.argv
    sys.argv = ["lm-eval", *argv]
    try:
        cli_evaluate()
    except SystemExit as e:  # argparse / lm-eval exit codes pass through
        return int(e.code or 0) if not isinstance(e.code, str) else 1
    finally:
        sys.argv = old
    return 0
