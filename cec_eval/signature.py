"""Reproducibility signature, as sacrebleu prints with every score: everything that changes the
number, in one line (``cec:sym|nrefs:1|emb:all-MiniLM-L6-v2@1a2b3c4d|split:pysbd-0.3.4+lines|...``)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .version import __version__


@dataclass(frozen=True)
class Signature:
    embedding: str  # model name @ weights hash
    splitter: str
    nrefs: str = "1"  # "1", a fixed count, or "var"
    variant: str = "plain"
    aggregation: str = "mean"
    multi_ref: str = "max-sym"
    rescale: str = "no"  # "no" or "b=<forward>/<backward>/<sym>"
    version: str = __version__

    def format(self) -> str:
        return "|".join(
            [
                f"cec:{self.variant}",
                f"nrefs:{self.nrefs}",
                f"emb:{self.embedding}",
                f"split:{self.splitter}",
                f"agg:{self.aggregation}",
                f"mref:{self.multi_ref}",
                f"rescale:{self.rescale}",
                f"version:{self.version}",
            ]
        )

    __str__ = format

    def to_dict(self) -> dict:
        return asdict(self)
