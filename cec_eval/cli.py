"""``cec-eval``: one entry point, sub-commands discovered from :mod:`cec_eval.commands`."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Sequence

from . import commands
from .chat import TooFewAnswers
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
    prefix = f"cec-eval {args.command}"
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (InputError, FileNotFoundError) as e:
        # Input errors: one clear line naming the file, row and field, no traceback.
        print(f"{prefix}: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except TooFewAnswers as e:
        # the outputs of what did succeed are written; the run as a whole did not
        print(f"{prefix}: failed: {_one_line(e)}", file=sys.stderr)
        return 1
    except OSError as e:
        if e.filename is None:  # not about a path the user gave: a real fault, keep its traceback
            raise
        print(f"{prefix}: error: {e.filename}: {e.strerror or e}", file=sys.stderr)
        return 2


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
