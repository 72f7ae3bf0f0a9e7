"""Causal CEC: a direction-aware CEC variant (``CECScorer(variant="causal")``).

Plain CEC compares sentences by cosine similarity and cannot see which way a causal link points.
This variant extracts cause → effect links (:mod:`.links`), embeds their cause and effect spans
with the same sentence encoder, and compares *directed* links: a link matched with cause and
effect swapped is penalised. Sentences without a link (on either side) keep plain cosine.
See ``docs/causal_cec.md``.
"""
from .links import CausalLink, LinkExtractor, extract_links
from .matcher import CausalMatcher

__all__ = ["CausalLink", "CausalMatcher", "LinkExtractor", "extract_links"]
