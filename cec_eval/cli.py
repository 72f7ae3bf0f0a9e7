"""``cec-eval``: one entry point, sub-commands discovered from :mod:`cec_eval.commands`."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Sequence

from . import commands
from .errors import InputError
from .version import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cec-eval",
        description="Causal Explanation Coherence: score, compare and distil cause-and-effect explanations offline.",
    )
    parser.add_argument("--version", action="version", version=f"cec-eval {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        help_text = module.HELP.replace("%", "%%")  # argparse %-formats help strings
        p = sub.add_parser(module.NAME, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (InputError, FileNotFoundError) as e:
        # Input errors: one clear line naming the row/field, no traceback.
        print(f"cec-eval {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
