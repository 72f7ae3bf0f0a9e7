"""``cec-eval`` sub-commands, one module each, discovered by :mod:`cec_eval.cli`.

A command module defines ``NAME`` (str), ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Keep module import cheap (argparse only): heavy imports go inside ``run`` so
``cec-eval --help`` stays fast.
"""
