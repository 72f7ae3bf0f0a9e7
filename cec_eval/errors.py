"""Errors about the user's input. They name the offending row or field; the CLI prints them as
one line (no traceback)."""


class InputError(ValueError):
    """Bad input: the message names the row (0-based) and/or field at fault."""
