"""Cause → effect links read from argument structure, for sentences that state a link without a
connective ("Hail flattened the barley", "Having skipped breakfast, Tom felt faint", "The ferry
stayed in port — fog had rolled in").

The connective lexicon (:mod:`.links`) finds a link only where the sentence names the relation.
Most explanations written without reference to that lexicon do not (about two in three of the
blind sets' references), and then the variant fell back to plain cosine, which prefers a reversal
in the reference's own words. These rules give such sentences a direction from their syntax
(``en_core_web_sm`` dependency parse), each rule from a published account of how English encodes
causation without a causal connective:

* ``<subject>``: an active clause with a subject and an object or complement: the subject is the
  cause, the predicate the effect. Dowty (1991, "Thematic proto-roles and argument selection")
  lists *causing an event or change of state in another participant* among the Proto-Agent
  entailments and *causally affected by another participant* among the Proto-Patient ones; his
  argument-selection principle puts the Proto-Agent in subject position. Lexical and metaphorical
  causatives ("flattened", "fuelled", "prevents", "cost us the cup") are all of this shape; a
  stative *have* / *contain* / *include* with a plain object is not ("A cook had norovirus"; its
  subject is no Proto-Agent), a causative one is ("had the students losing focus"; causal-v23).
* ``<agent>``: a passive with a *by*-phrase: the by-phrase is the demoted subject, so the cause.
* ``<source>``: an intransitive predicate with a *from*-phrase ("came from missing breakfast",
  "is crying from pain"): PropBank's ArgM-CAU and source arguments (Bonial et al. 2010, the
  PropBank annotation guidelines §1.4) are introduced by "from" when they name the origin; and a
  verb of getting with an object ("gets its colour from A", "developed a rash from A"): the
  from-phrase is the Source of FrameNet's Getting frame (causal-v11).
* ``<adjunct>``: a fronted adverbial clause or phrase set off by a comma ("Having skipped
  breakfast, B", "With the bridge closed, B", "In the wake of A, B", "By raising rates, B",
  "When A, B", "Every time A, B" and "B each time A", the complex subordinators of Quirk et al.
  1985 ch. 14 read as "whenever", causal-v22; a *with*-absolute with a participle or adjective, "With the predators gone, B",
  Quirk et al. 1985 §15.58, read from the words since causal-v11) is the cause of the main clause, and a trailing *-ing* participle clause after a
  comma ("A, flooding homes") or a purpose infinitive, trailing or fronted ("A to stop B", "To
  stop B, A"; causal-v18), is its effect.
  Temporal adjuncts read causally follow the *post hoc* reading PDTB annotates as a second
  Contingency.Cause sense on Temporal.Asynchronous connectives (PDTB 2.0 manual §3.3; "after",
  "following", "once", "when"). Adjuncts opened by a PDTB Comparison (concession/contrast) or
  Expansion connective, or by "before"/"until" (the later event: a precaution, not a cause),
  state no cause and are skipped (:data:`NOT_CAUSAL`).
* ``<sequence>``: a sentence with no link at all is linked to the sentence before it, in
  narrative order (the first is the cause) unless it is in the past perfect (then it is the cause;
  not when a *by*-phrase of time anchors the perfect to a later time, "By Wednesday B had ..."):
  the same order and tense reading as ``<order>``, across a full stop (PDTB's implicit relations
  between adjacent sentences; Lascarides & Asher 1993 on Narration vs Explanation).
* ``<correlative>``: "The higher A, the fewer B": the first clause (Culicover & Jackendoff 1999).
* ``<condition>``: "Overwater a cactus and its roots will rot": an imperative conjoined with a
  clause with a modal (or "and watch B") is a conditional (Culicover & Jackendoff 1997,
  left-subordinating *and*); the imperative is the cause (causal-v18).
* ``<relative>``: "The frost, which killed the buds, hit in April": a non-restrictive relative
  clause on the subject is a clause of its own with the noun phrase as subject (causal-v18); an
  object relative with a causal verb, "losses that A causes", has the noun as the effect (causal-v23).
* ``<cleft>``: "A is what keeps B up", "A is how bakers stop B", "A is where B came from": the focus of a wh-cleft is the cause;
  in "B is what A brings about" the focus is the causal verb's object, so the effect (causal-v23).
* ``<attribution>``: "put B down to A", "B is ascribed to A", "A is to blame for B", "B, and A
  was to blame" (and, naming only the cause of what comes before, "A was responsible", "A was
  behind it", "I blame A", "Credit goes to A"; causal-v22) ("attributed to" and "attributable to" are lexicon rows, read first; PropBank attribute.01 and kin:
  Arg2, what a thing is attributed to, is the cause); "B followed A" has the later event as subject
  (PropBank follow.01), read post hoc. A reporting verb ("Economists argue that A raises B") is not
  a cause: the link is read from the reported clause (PDTB attribution predicates).
* ``<order>`` also joins two coordinated clauses ("A got in and knocked out B") in narrative order,
  where the first has no object of its own (PDTB's implicit Result between conjoined clauses).
* ``<order>``: two clauses joined only by a colon, semicolon or dash: the clause in the past
  perfect happened first and is the cause (Reichenbach's reference time; the pluperfect marks
  backward-shifted explanation, Lascarides & Asher 1993, "Temporal interpretation, discourse
  relations and commonsense entailment"); with no tense cue, the clause after a colon or dash is
  the explanation (Explanation is the default relation of a colon, Lascarides & Asher) and the
  first clause of a semicolon pair is the cause (narrative order).

Nominal causation ("the reason for B was A", "B was a consequence of A", and after *as*, "listed A
as the cause of B", causal-v23) is read from the noun
naming the relation: FrameNet 1.7's Causation frame lists cause.n, reason.n, consequence.n,
result.n and effect.n among its lexical units, with the cause or the effect as their complement.

These links are weaker evidence than a connective, so :class:`~.links.LinkExtractor` only asks for
them when a sentence has no connective link (``roles=True``), and for a side of a link that is
itself a clause (nested links, causal-v11; a subject-object link there only with an event subject).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

#: openers of an adjunct that states no cause: PDTB 2.0 Comparison.Concession/Contrast and
#: Expansion connectives that can open a fronted adverbial, and time/space prepositions whose
#: object is a date or place ("In 2010, B"; handled by :func:`_is_setting`)
NOT_CAUSAL = {"although", "though", "despite", "even", "while", "whereas", "unless", "until", "except", "instead",
              "unlike", "like", "besides", "notwithstanding", "nevertheless", "however", "also", "still", "yet",
              "according", "as", "for", "in addition", "apart", "rather", "whether", "than", "during", "throughout",
              "meanwhile", "similarly", "likewise", "in turn", "including", "regardless", "of", "about", "among", "between",
              # the later event: "Before the storm came, they harvested" states a precaution, not that
              # the harvest caused the storm
              "before", "until", "till"}
#: FrameNet Causation nouns: the noun's complement (of/for/behind) is the effect for the first
#: set, the cause for the second ("the reason for B was A"; "B was a consequence of A")
CAUSE_NOUNS = {"reason", "cause", "source", "origin", "root", "trigger", "driver", "culprit", "spark", "factor", "catalyst",
               "contributor"}
EFFECT_NOUNS = {"result", "consequence", "effect", "outcome", "upshot", "product"}
_SUBJ = {"nsubj", "csubj"}
#: predicates of communication and propositional attitude, PDTB 2.0's attribution predicates
#: (Prasad et al. 2007, "Attribution and its annotation in the Penn Discourse TreeBank"): their
#: subject holds or reports the claim, so the link is read from the reported clause
REPORTING = {"say", "tell", "report", "claim", "argue", "suggest", "think", "believe", "suspect", "expect", "estimate",
             "find", "show", "conclude", "note", "explain", "warn", "insist", "predict", "fear", "know", "agree",
             "assume", "reckon", "maintain", "state", "write", "reveal", "confirm", "add", "feel", "hold"}
#: verbs of FrameNet's Getting frame whose from-phrase is the Source, read as the cause
GETTING = {"get", "gain", "develop", "acquire", "catch", "earn", "suffer", "sustain", "derive", "obtain", "pick"}
#: PropBank rolesets whose Arg2 is what a thing is attributed to (attribute.01, ascribe.01,
#: credit.01, blame.01 "blame X on Y", trace.02 "trace X to Y", put down "put X down to Y")
ATTRIBUTION = {"attribute", "ascribe", "credit", "blame", "trace", "put", "chalk", "pin"}
#: verbs whose subject is the later event (PropBank follow.01, succeed.02)
LATER_SUBJECT = {"follow", "succeed"}
#: nouns of motive after "out of" ("kept quiet out of fear"; Quirk et al. 1985 §9.46, cause/motive)
_MOTIVES = {"fear", "spite", "curiosity", "respect", "habit", "boredom", "necessity", "love", "pity", "kindness",
            "desperation", "frustration", "anger", "concern", "loyalty", "jealousy", "greed", "ignorance", "duty",
            "courtesy", "embarrassment", "panic", "guilt", "shame", "gratitude", "sympathy", "caution", "anxiety"}
_RESPONSIBLE = {"responsible", "accountable", "liable"}
#: verbs of causing whose object, in "B is what A brings about", is the effect (FrameNet Causation
#: verbs: cause.v, bring about.v, produce.v, create.v, trigger.v, ...)
_CAUSING = {"cause", "bring", "produce", "create", "trigger", "drive", "generate", "induce", "spark", "provoke",
            "prompt", "yield", "make"}
#: stative verbs of having and relation whose subject is no Proto-Agent (Dowty 1991: the subject of
#: "have", "contain", "include" neither causes nor changes anything): no <subject> link ("A cook
#: had norovirus"; causal-v23)
STATIVE = {"have", "own", "possess", "contain", "include", "lack", "resemble", "equal", "weigh", "comprise"}
_OBJ = {"dobj", "ccomp", "xcomp", "oprd", "dative"}
_SEPARATORS = {";", ":", "—", "–", "--"}
_FINITE = {"VBD", "VBZ", "VBP", "MD"}


def _ids(tok: "Token") -> set[int]:
    return {t.i for t in tok.subtree}


def _is_setting(tokens: list["Token"]) -> bool:
    """A fronted phrase that only sets time or place ("In 2010", "On Monday", "In Paris", "Last
    year"): no verb and its nouns are numbers, proper names or time words."""
    if any(t.pos_ in ("VERB", "AUX") for t in tokens):
        return False
    nouns = [t for t in tokens if t.pos_ in ("NOUN", "PROPN", "NUM", "PRON")]
    return not nouns or all(t.pos_ in ("PROPN", "NUM", "PRON") or t.like_num or t.ent_type_ in ("DATE", "TIME")
                            or t.lower_ in _TIME_WORDS or t.lemma_.lower() in _TIME_WORDS for t in nouns)


_TIME_WORDS = {"year", "years", "day", "days", "week", "weeks", "month", "months", "morning", "evening", "night",
               "afternoon", "time", "times", "moment", "century", "decade", "season", "summer", "winter", "spring",
               "autumn", "weekend", "today", "yesterday", "hour", "hours", "minute", "minutes", "end", "beginning",
               "start", "past", "future", "age", "period", "era", "case", "instance", "example", "fact", "general",
               "short", "particular", "way", "addition", "contrast", "theory", "practice", "sense", "order", "view",
               "breakfast", "lunch", "dinner", "supper", "midnight", "dawn", "dusk", "sunset", "sunrise", "dark"}


_CALENDAR = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
             "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
             "noon", "tomorrow", "tonight"}
#: words that make a "by"-phrase one of time (:func:`_by_time`)
_TIME_ANCHORS = _TIME_WORDS | _CALENDAR


def _pluperfect(tokens: list["Token"]) -> bool:
    return any(t.lower_ in ("had", "'d") and t.dep_ == "aux" and t.head.tag_ == "VBN" for t in tokens)


def _finite(tokens: list["Token"]) -> bool:
    return any(t.tag_ in _FINITE for t in tokens)


def _clause(tokens: list["Token"]) -> bool:
    """A finite clause, also where the small tagger reads its verb in -s as a plural noun after
    its subject ("the doorbell rings", "a spring tide coincides"): used where a subordinator has
    already said a clause follows (causal-v22)."""
    return _finite(tokens) or any(t.tag_ == "NNS" and k and tokens[k - 1].pos_ in ("NOUN", "PROPN")
                                  for k, t in enumerate(tokens))


def role_links(doc: "Doc") -> list[tuple[list["Token"], list["Token"], str]]:
    """(cause tokens, effect tokens, rule) of each sentence of a parsed ``doc`` (at most one link
    per sentence: the first rule that applies, in the order of the module docstring but with the
    clause-joining punctuation first, since it spans two clauses)."""
    out = []
    for sent in doc.sents:
        link = _sentence_link(sent)
        if link is not None:
            out.append(link)
        out += _compound_links(sent) + _influence_links(sent) + _relative_links(sent) + _object_relative_links(sent)
    return out


def _object_relative_links(sent: "Span") -> list:
    """<relative>: "losses that its own negligence causes", "the damage which the storm brought
    about": a relative clause whose causal verb has the relativised noun as its object (no object
    of its own) names that noun as the effect and the clause's subject as the cause (causal-v23)."""
    out = []
    for t in sent:
        if t.dep_ != "relcl" or t.lemma_.lower() not in _CAUSING or t.head.pos_ not in ("NOUN", "PROPN"):
            continue
        rel = sorted(_ids(t))
        doc = t.doc
        if doc[rel[0]].lower_ not in ("that", "which") or any(
                doc[i].pos_ in ("NOUN", "PROPN", "PRON") for i in rel if i > t.i):
            continue  # "the storm that caused floods": a subject relative, the <subject> rule's
        # read from the words (the small tagger often takes the verb in -s for a noun): the clause's
        # subject stands between the relative pronoun and the verb
        cause = [doc[i] for i in range(rel[0] + 1, t.i)]
        head = [x for x in t.head.subtree if x.i not in set(rel) and x.i >= sent.start]
        if _has_words(cause) and _has_words(head):
            out.append((cause, head, "<relative>"))
    return out


def _relative_links(sent: "Span") -> list:
    """<relative>: "The frost, which killed the buds, hit in April": a non-restrictive relative
    clause on the subject is a clause of its own whose subject is the noun phrase it follows
    (Quirk et al. 1985 §17.22), read as :func:`_clause_link` reads a clause (its subject the cause,
    its predicate with an object the effect). Only before the main verb: after it a ", which"
    clause may comment on the whole clause before it (the sentential relative of the adjunct rule)."""
    out = []
    root = sent.root
    for t in sent:
        if t.dep_ != "relcl" or t.pos_ != "VERB" or t.i >= root.i or t.head.pos_ not in ("NOUN", "PROPN"):
            continue
        ids = _ids(t)
        first, last = t.doc[min(ids)], t.doc[max(ids)]
        if (first.lower_ not in ("which", "who") or first.i == 0 or t.doc[first.i - 1].text != ","
                or last.i + 1 >= sent.end or t.doc[last.i + 1].text != ","):
            continue
        if not any(c.dep_ in _OBJ for c in t.children):
            continue  # "The car, which was red, ..." states no link
        # the whole noun phrase ("Years of untreated diabetes, which ..."), the subject it sits in
        np = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass") and t.i in _ids(c)), t.head)
        head = [x for x in np.subtree if x.i < first.i - 1 and x.i >= sent.start]
        effect = list(t.doc[first.i + 1:last.i + 1])
        if head and effect:
            out.append((head, effect, "<relative>"))
    return out


#: FrameNet Objective_influence nouns: "the effect / impact / influence of A on B"
INFLUENCE_NOUNS = {"effect", "effects", "impact", "impacts", "influence", "influences"}


def _influence_links(sent: "Span") -> list:
    """<influence>: "the effect of A on B" (FrameNet Objective_influence: the *of*-phrase is the
    Influencing_entity, the *on*-phrase the Dependent_entity), wherever the noun phrase stands."""
    out = []
    for t in sent:
        if t.lower_ not in INFLUENCE_NOUNS:
            continue
        of = [c for c in t.children if c.dep_ == "prep" and c.lower_ == "of" and _pobj(c)]
        if not of:
            continue
        on = [c for c in list(t.children) + [x for p in _pobj(of[0]) for x in p.children]
              if c.dep_ == "prep" and c.lower_ in ("on", "upon") and _pobj(c)]
        if on:
            on_ids = _ids(on[0])
            cause = [x for x in _pobj(of[0]) if x.i not in on_ids]
            out.append((cause, _pobj(on[0]), "<influence>"))
    return out


#: participles that make a hyphenated compound causal ("stress-induced insomnia", "storm-driven
#: surge"): the FrameNet Causation / EIDOS verbs of :mod:`.links` in their passive participle form;
#: "related" and "linked" state association, not cause, and are left out
COMPOUND_PARTICIPLES = {"induced", "caused", "driven", "triggered", "fuelled", "fueled", "generated", "provoked",
                        "produced", "powered", "sparked", "led", "borne", "inflicted"}


def _compound_links(sent: "Span") -> list:
    """<compound>: "A-induced B": the compound's first part is the cause of the noun it modifies
    (the participle's demoted agent, as in the by-passive "B induced by A")."""
    out = []
    for t in sent:
        if t.lower_ not in COMPOUND_PARTICIPLES or t.i - sent.start < 2 or t.dep_ not in ("amod", "compound"):
            continue
        hyphen = t.doc[t.i - 1]
        if hyphen.text not in ("-", "‐") or hyphen.whitespace_ or t.doc[t.i - 2].whitespace_:
            continue
        first = t.doc[t.i - 2]
        cause = [x for x in first.subtree if x.i < hyphen.i and x.i >= sent.start]
        effect = [x for x in t.head.subtree if x.i not in _ids(t) and x.i >= sent.start]
        if cause and effect:
            out.append((cause, effect, "<compound>"))
    return out


#: the rule name (CausalLink.connective) of an implicit link with the previous sentence
SEQUENCE = "<sequence>"


def sequence_side(doc: "Doc") -> str:
    """For a sentence with no link of its own, which side of an implicit link with the *previous*
    sentence it is: ``"effect"`` (narrative order: "Someone left the gate open. The dog got out.")
    or ``"cause"`` when it is in the past perfect and so happened first ("The ferry stayed in
    port. Thick fog had rolled in."); ``""`` for a question, which states no event."""
    toks = list(doc)
    if any(t.text == "?" for t in toks):
        return ""
    return "cause" if _pluperfect(toks) and not _by_time(toks) else "effect"


def _by_time(tokens: list["Token"]) -> bool:
    """A "by"-phrase of time ("By Wednesday her ankles had swollen", "by then"): the past perfect
    is then anchored to that later time (Reichenbach's reference time), not earlier than what the
    sentence before tells, so it is no cue that this sentence happened first."""
    for k, t in enumerate(tokens[:-1]):
        if t.lower_ == "by":
            nxt = [x for x in tokens[k + 1:k + 4] if not x.is_punct]
            if nxt and (nxt[0].lower_ in ("then", "now") or any(
                    x.ent_type_ in ("DATE", "TIME") or x.lemma_.lower() in _TIME_ANCHORS or x.like_num for x in nxt)):
                return True
    return False


def _separator(tok: "Token") -> bool:
    """A clause separator: ; : or a dash, typed as a hyphen between spaces ("A - B") too."""
    return tok.text in _SEPARATORS or (tok.text == "-" and bool(tok.whitespace_) and tok.i > 0
                                        and bool(tok.doc[tok.i - 1].whitespace_))


def _sentence_link(sent: "Span"):
    toks = list(sent)
    # <order>: two clauses joined by ; : or a dash
    for k, t in enumerate(toks):
        if _separator(t) and 0 < k < len(toks) - 1:
            left, right = toks[:k], _words(toks[k + 1:])
            imperative = left[0].tag_ == "VB" or left[0].lower_ in ("do", "don't", "never")  # "Pinch out the shoots; …"
            if (_finite(left) or imperative) and _finite(right):
                if right[0].lower_ in ("this", "that") and len(right) > 2 and right[1].tag_ in _FINITE:
                    # "A; this sends B": the pronoun stands for the clause before, the cause
                    return left, right[1:], "<order>"
                # "A; B was to blame" / "A: the cause was B": the second clause names one side
                ids = {x.i for x in right}
                head = next((x for x in right if x.head.i not in ids or x.head.i == x.i), None)
                inner = _clause_link(head, right, [], []) if head is not None else None
                if inner is not None and bool(inner[0]) != bool(inner[1]):
                    return (inner[0], left, inner[2]) if inner[0] else (left, inner[1], inner[2])
                lp, rp = _pluperfect(left), _pluperfect(right)
                if lp != rp:
                    return (left, right, "<order>") if lp else (right, left, "<order>")
                if t.text == ";":
                    return left, right, "<order>"
                return right, left, "<order>"
            break
    link = (_imperative_and(toks) or _correlative(toks) or _fronted_when(toks) or _habitual(toks) or _inverted_condition(toks) or _fronted_behind(toks)
            or _wh_cleft(toks) or _nominal_copula(toks) or _appositive_result(toks) or _as_causation_noun(toks))
    if link is not None:
        return link
    root = sent.root
    pred = root
    subj_tokens: list = []
    if root.pos_ in ("NOUN", "PROPN"):
        # "A storm surge swept over ...", "The milk soured from ...": a clause the small parser read
        # as a noun phrase with a participle; the noun phrase is the subject
        acl = [c for c in root.children if c.dep_ == "acl" and c.tag_ in ("VBD", "VBN") and c.i > root.i]
        if acl:
            pred = acl[0]
            subj_tokens = [t for t in sent if t.i < pred.i]
    # in that misparse the clause's adjuncts hang from the noun
    extra = [c for c in root.children if c.dep_ in ("advcl", "prep") and c.i > pred.i] if pred is not root else []
    return _clause_link(pred, [t for t in sent if not (t.is_punct and t.i == sent.end - 1)], subj_tokens, extra)


#: words that may open an imperative before its verb ("Just add water and ...")
_IMPERATIVE_OPENERS = {"just", "simply", "now", "then", "so", "only"}
#: words that open a clause with a subject, not an imperative
_NOT_IMPERATIVE = {"the", "a", "an", "it", "he", "she", "they", "we", "i", "you", "there", "this", "that", "these",
                   "those", "his", "her", "their", "its", "our", "my", "your", "if", "when", "because", "as", "since",
                   "after", "once", "while", "no", "some", "many", "most", "all", "every", "each", "what", "why", "how",
                   "who", "both", "either", "neither", "more", "less", "too", "people"}
#: what the second clause of "Do A and B will happen" may open with: a modal within its first words,
#: or a verb of perception ("... and watch B climb")
_CONDITIONAL_MODALS = {"will", "'ll", "wo", "won't", "would", "can", "may", "might", "could"}


def _imperative_and(toks: list["Token"]):
    """<condition>: "Overwater a cactus and its roots will rot", "Send it daily and watch B climb":
    an imperative conjoined with a clause about what follows is a conditional, its first conjunct
    the condition (Culicover & Jackendoff 1997, "Semantic subordination despite syntactic
    coordination": left-subordinating *and*). Read from the words: the small parser often tags
    the bare verb as a noun ("Skip salting ...")."""
    k = 0
    while k < len(toks) and (toks[k].lower_ in _IMPERATIVE_OPENERS or toks[k].text == ","):
        k += 1
    if k >= len(toks) - 4:
        return None
    first = toks[k]
    if not first.is_alpha or first.lower_ in _NOT_IMPERATIVE or first.lower_.endswith(("ing", "ed")):
        return None
    # a bare verb; or a word tagged otherwise that an object follows ("Skip salting ...", "Heavy
    # rain and wind will ..." is a noun phrase)
    if first.tag_ not in ("VB", "VBP") and not (first.tag_ in ("NN", "NNP", "JJ")
                                                and toks[k + 1].tag_ in ("DT", "PRP$", "PRP", "VBG", "RP", "CD")):
        return None
    for j in range(k + 2, len(toks) - 2):
        if toks[j].lower_ != "and":
            continue
        before = [t for t in toks[k:j] if t.text != ","]
        if any(t.tag_ in _FINITE and t.i != first.i for t in before):
            return None  # a clause with its own tense is not an imperative
        after = toks[j + 1:]
        if after and after[0].lower_ in ("watch", "see"):
            return before, _words(after[1:]), "<condition>"
        if any(t.lower_ in _CONDITIONAL_MODALS for t in after[:6]):
            return before, _words(after), "<condition>"
        return None
    return None


#: subordinators whose fronted clause is read post hoc as the cause (as the parse-based adjunct rule)
_FRONTED = {"when", "whenever", "once", "after"}
_FRONTED_OR_WITH = _FRONTED | {"with"}


def _opening_comma(toks: list["Token"]) -> int | None:
    """Index of the first comma, if a fronted clause of at least two words ends there."""
    comma = next((k for k, t in enumerate(toks) if t.text == ","), None)
    return comma if comma is not None and comma >= 3 else None


#: habitual temporal subordinators of more than one word, read as "whenever" (Quirk et al. 1985,
#: ch. 14, complex subordinators: "every time (that)", "each time", "any time"; the noun "occasion"
#: in "on each occasion (that)"), each as its words
_HABITUAL = (("every", "time"), ("each", "time"), ("any", "time"), ("anytime",), ("every", "single", "time"),
             ("on", "each", "occasion"), ("on", "every", "occasion"))


def _habitual_at(toks: list["Token"], k: int) -> int:
    """The number of words of a habitual subordinator at ``k`` (with a following "that"), or 0."""
    words = [t.lower_ for t in toks[k:k + 4]]
    for h in _HABITUAL:
        if tuple(words[:len(h)]) == h:
            return len(h) + (len(words) > len(h) and words[len(h)] == "that")
    return 0


def _habitual(toks: list["Token"]):
    """ "B every time A", "B on each occasion that A": a trailing habitual clause is the
    condition, the cause (as "B whenever A"; causal-v22). The small parser reads "every time" as a
    noun phrase of the main clause."""
    for k in range(2, len(toks) - 2):
        n = _habitual_at(toks, k)
        if n:
            cause, effect = _words(toks[k + n:]), [t for t in toks[:k] if t.text != ","]
            comma = next((j for j, t in enumerate(cause) if t.text in (",", ";")), len(cause))
            cause = cause[:comma]  # "B every time A, and that C": the clause ends at the break
            if any(t.dep_ in _OBJ for t in effect):
                return None  # "A gives you B every time C": the main clause states its own link
            if _clause(cause) and _clause(effect) and _has_words(cause):
                return cause, effect, "<adjunct>"
            return None
    return None


def _fronted_when(toks: list["Token"]):
    """ "When A, B" (and "With A gone, B", "Every time A, B") read from the words: the fronted clause up to its comma is the cause. The small
    parser often attaches such a clause inside the main clause's subject ("When around a million
    people died, blight destroyed the crop"), which the parse-based adjunct rule then misses."""
    habitual = _habitual_at(toks, 0)
    if len(toks) < 5 or toks[0].lower_ not in _FRONTED_OR_WITH and not habitual:
        return None
    comma = _opening_comma(toks)
    if comma is None or comma <= habitual:
        return None
    cause, effect = toks[max(1, habitual):comma], _words(toks[comma + 1:])
    # "With the predators gone, B" / "With traffic pouring in, B": a fronted with-absolute (a noun
    # phrase and its predicate, no finite verb; Quirk et al. 1985 §15.58) is the circumstance the
    # main clause follows from, read as the cause like a fronted when-clause
    absolute = toks[0].lower_ == "with" and any(t.tag_ in ("VBN", "VBG", "JJ", "RB", "RP", "IN") for t in cause[1:])
    clause = _clause(effect) or (absolute and any(t.pos_ in ("VERB", "AUX") for t in effect))
    if not ((_clause(cause) or absolute) and clause) or _is_setting(toks[:comma]):
        return None
    return cause, effect, "<adjunct>"


def _wh_cleft(toks: list["Token"]):
    """ "What pushed the shops out was rising rates": a wh-cleft read from the words (the small
    parser often makes the focus noun the root): the focus after the copula is the cause."""
    if len(toks) < 5 or toks[0].lower_ != "what" or not toks[1].tag_.startswith("VB") or toks[1].lower_ in _BE_FORMS:
        return None
    return _focus_after_copula(toks, _BE_FORMS, "<cleft>")


def _focus_after_copula(toks: list["Token"], copulas: set[str], rule: str):
    """(what follows the first copula after the opener, what lies between them, rule), or None:
    the shape of a wh-cleft and of an inverted "Behind B is A", both of which put the cause last."""
    cop = next((k for k in range(2, len(toks)) if toks[k].lower_ in copulas), None)
    if cop is None:
        return None
    cause = _words(toks[cop + 1:])
    return (cause, toks[1:cop], rule) if _has_words(cause) and _has_words(toks[1:cop]) else None


def _inverted_condition(toks: list["Token"]):
    """ "Had A (not) happened, B would ...", "Should A happen, B", "Were it not for A, B": a
    condition with subject-auxiliary inversion (Quirk et al. 1985 §15.36) is the fronted conditional
    clause, read as "If A, B" (the condition is the cause); the small parser misreads the inversion."""
    if len(toks) < 5 or toks[0].lower_ not in ("had", "should", "were") or toks[-1].text == "?":
        return None
    comma = _opening_comma(toks)
    if comma is None:
        return None
    cond, main = toks[1:comma], _words(toks[comma + 1:])
    if cond[:3] and [t.lower_ for t in cond[:3]] == ["it", "not", "for"]:
        cond = cond[3:]  # "Were it not for A, B": A
    return (cond, main, "<adjunct>") if _has_words(cond) and _has_words(main) else None


def _appositive_result(toks: list["Token"]):
    """ "B, the (direct) result of A" / "B, a consequence of A": a causation noun in apposition
    after the clause it sums up names that clause's cause in its of-phrase (FrameNet Causation
    nouns, as <noun>)."""
    for k, t in enumerate(toks):
        if t.text != "," or k < 2:
            continue
        j = k + 1
        if j < len(toks) and toks[j].lower_ in ("the", "a", "an", "all", "largely", "partly", "mainly", "mostly"):
            j += 1
        while j < len(toks) and toks[j].pos_ == "ADJ":
            j += 1
        if j + 1 < len(toks) and toks[j].lower_ in EFFECT_NOUNS and toks[j + 1].lower_ == "of":
            cause = _words(toks[j + 2:])
            if _has_words(cause) and _has_words(toks[:k]):
                return cause, toks[:k], "<noun>"
        return None
    return None


#: nouns naming the effect in "The impact of A was B" (FrameNet Objective_influence nouns read as
#: the effect when they are the copula's subject, as EFFECT_NOUNS)
_IMPACT_NOUNS = {"impact", "impacts", "influence"}
#: head nouns of "The consequence of A was B" / "The reason for B is A", with their plurals
_EFFECT_HEADS = EFFECT_NOUNS | {n + "s" for n in EFFECT_NOUNS} | _IMPACT_NOUNS
_CAUSE_HEADS = CAUSE_NOUNS | {n + "s" for n in CAUSE_NOUNS}


def _nominal_copula(toks: list["Token"]):
    """ "The (main) consequence of A was B" / "The (real) reason for B is A", read from the words:
    a causation noun opening the sentence with its of/for complement, then a copula (FrameNet
    Causation nouns, as the parse-based <noun> rule, which the small parser often misses when the
    complement is long)."""
    if len(toks) < 6 or toks[0].lower_ not in ("the", "one", "a", "an", "another", "its", "their", "his", "her"):
        return None
    k = 1
    while k < len(toks) - 1 and k < 4 and toks[k].pos_ in ("ADJ", "ADV") and toks[k].lower_ not in _BE_FORMS:
        k += 1
    noun = toks[k].lower_
    effect_noun = noun in _EFFECT_HEADS
    if not (effect_noun or noun in _CAUSE_HEADS):
        return None
    if k + 1 >= len(toks) or toks[k + 1].lower_ not in ("of", "for", "behind"):
        return None
    cop = next((j for j in range(k + 3, len(toks)) if toks[j].lower_ in _BE_FORMS and toks[j].dep_ in ("ROOT", "aux", "auxpass", "cop") or
                toks[j].lower_ in _BE_FORMS and toks[j].head.i == toks[j].i), None)
    if cop is None:
        return None
    inner, after = toks[k + 2:cop], _words(toks[cop + 1:])
    that = bool(after) and after[0].lower_ == "that"
    after = after[1:] if that else after
    if not that and (not after or after[0].pos_ in ("ADV", "ADJ", "ADP", "PART") or not any(t.pos_ in ("NOUN", "PROPN", "VERB") for t in after)):
        return None  # "The cause of the fire is still unknown / clear": no cause named
    if not (_has_words(inner) and _has_words(after)) or any(t.lower_ == "on" for t in inner):
        return None  # "the effect of A on B is clear": Objective_influence, read by <influence>
    return (inner, after, "<noun>") if effect_noun else (after, inner, "<noun>")


def _as_causation_noun(toks: list["Token"]):
    """ "Investigators listed A as the cause of B", "A is widely seen as the root cause of B", "B is
    regarded as a consequence of A": a causation noun as the complement of *as* (Quirk et al. 1985
    §16.48, verbs with an object complement introduced by *as*) names the relation between the noun
    phrase it describes (the verb's object, else its subject) and its of-phrase (causal-v23)."""
    for k, t in enumerate(toks[:-2]):
        if t.lower_ != "as" or k < 2:
            continue
        j = k + 1
        if toks[j].lower_ in ("the", "a", "an", "one", "its", "their", "his", "her", "this"):
            j += 1
        while j < len(toks) - 1 and toks[j].pos_ in ("ADJ", "ADV") or j < len(toks) - 1 and toks[j].lower_ == "root":
            j += 1
        noun = toks[j].lower_
        # "The manager reported a blown speaker as the cause.": no of-phrase, so the relation is to
        # the sentence before (causal-v25)
        last = j + 1 >= len(toks) or toks[j + 1].text in (".", "!", "?") and j + 2 >= len(toks)
        if noun not in _CAUSE_HEADS - {"factor", "factors"} | EFFECT_NOUNS or not last and toks[j + 1].lower_ != "of":
            return None
        other = [] if last else _words(toks[j + 2:])
        verb = t.head
        ids = {x.i for x in toks}
        described = [c for c in verb.children if c.dep_ == "dobj" and c.i < t.i] or [
            c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < t.i]
        if verb.pos_ in ("NOUN", "PROPN") and verb.i < t.i:
            described = [verb]  # the small parser hangs "as" from the object noun
        if not described or not (last or _has_words(other)):
            return None
        np_ = [x for x in described[0].subtree if x.i in ids and x.i < t.i]
        return (np_, other, "<noun>") if noun in _CAUSE_HEADS else (other, np_, "<noun>")
    return None


def _words(tokens: list["Token"]) -> list["Token"]:
    """Tokens without the sentence's final punctuation."""
    return [t for t in tokens if not (t.is_punct and t.text in ".!?")]


_BE_FORMS = {"is", "was", "are", "were", "'s"}


def _fronted_behind(toks: list["Token"]):
    """ "Behind the rise is a refinery fire": the fronted form of "A is behind B" (an inversion
    the lexicon row "is behind" cannot see): what follows the copula is the cause."""
    if len(toks) < 5 or toks[0].lower_ != "behind":
        return None
    return _focus_after_copula(toks, _BE_FORMS - {"'s"} | {"lies", "lay"}, "<attribution>")


def _correlative(toks: list["Token"]):
    """<correlative>: "The higher the price, the fewer people drive": the first clause is the
    independent variable (Culicover & Jackendoff 1999, "The view from the periphery: the English
    comparative correlative"), read as the cause."""
    if len(toks) < 6 or toks[0].lower_ != "the" or not _comparative(toks[1]):
        return None
    for k in range(2, len(toks) - 2):
        if toks[k].text == "," and toks[k + 1].lower_ == "the" and _comparative(toks[k + 2]):
            return toks[:k], [t for t in toks[k + 1:] if not t.is_punct], "<correlative>"
    return None


def _comparative(tok: "Token") -> bool:
    """A comparative by tag, or by form where the small tagger misses it ("The scarcer a good
    becomes": "scarcer" tagged as a noun)."""
    return tok.tag_ in ("JJR", "RBR") or tok.lower_ in ("more", "less", "fewer") or (
        tok.lower_.endswith("er") and len(tok) > 4 and tok.is_alpha and tok.tag_ not in ("VB", "VBP", "VBZ", "VBD"))


def _clause_link(pred: "Token", scope: list["Token"], subj_tokens: list["Token"], extra: list["Token"]):
    """The link of the clause headed by ``pred`` whose tokens are ``scope``."""
    doc = pred.doc
    children = list(pred.children) + extra
    xcomp = [c for c in children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")]
    copular = False
    if (pred.lemma_.lower() in _RAISING or _copular_raising(pred, children)) and xcomp:
        # "Households tend to borrow more once rates are cut": a raising or aspectual verb's subject
        # is its complement's; the complement's own adjuncts and objects are the clause's
        children = [c for c in children if c.i != xcomp[0].i] + list(xcomp[0].children)
        # "The cause of B turned out to be A" / "proved to be A" / "seems to be A": the clause is
        # the complement's copular one (causal-v24)
        copular = xcomp[0].lemma_.lower() == "be"
    raised = [c for c in children if c.dep_ == "nsubjpass"]
    if pred.lemma_.lower() in REPORTING and xcomp and raised and not subj_tokens:
        # "Smaller classes are thought to improve B": a passive reporting verb raises its
        # complement's subject (Quirk et al. 1985 §16.52); the link is the complement clause's
        inner = _ids(xcomp[0])
        return _clause_link(xcomp[0], [t for t in scope if t.i in inner and t.i >= xcomp[0].i],
                            [doc[i] for i in sorted(_ids(raised[0]))], [])
    inside = {t.i for t in scope}
    rest_of = lambda ids: [t for t in scope if t.i not in ids]  # noqa: E731
    # a reported clause ("Economists argue that A raises B", "A raises B, economists say"): the
    # speaker is not a cause; the link is the reported clause's (PDTB attribution predicates)
    if pred.lemma_.lower() in REPORTING:
        reported = [c for c in children if c.dep_ in ("ccomp", "parataxis") and any(x.dep_ in _SUBJ | {"nsubjpass"} for x in c.children)]
        if reported:
            c = reported[0]
            return _clause_link(c, [t for t in scope if t.i in _ids(c) and t.dep_ != "mark"], [], [])
    # <attribution> before the adjunct rules: "Scientists attribute most of the warming to A" (the
    # small parser often reads "to A" as a purpose clause), "Historians credit A with B"
    link = _attribution(pred, children, scope)
    if link is not None:
        return link
    # <source>: "Bread gets its chew from kneading", "He developed a sunburn from hours on the
    # beach": a verb of getting (FrameNet Getting: the from-phrase is the Source) with an object;
    # the from-phrase is the cause and the rest of the clause the effect
    dobj = [c for c in children if c.dep_ == "dobj"]
    if pred.lemma_.lower() in GETTING and dobj:
        # the small parser often hangs the from-phrase low ("gain confidence in speaking from practice")
        src = [c for c in scope if c.i > dobj[0].i and c.dep_ == "prep" and c.lower_ == "from" and _pobj(c)]
        if src and not _is_setting(_pobj(src[0])) and set(_ids(src[0])) <= inside:
            return _pobj(src[0]), rest_of(_ids(src[0])), "<source>"
    # <adjunct>: fronted adverbial clause or phrase, set off by a comma
    for c in children:
        if c.dep_ not in ("advcl", "prep", "npadvmod") or c.i > pred.i:
            continue
        ids = _ids(c)
        end = max(ids)
        if end + 1 >= len(doc) or doc[end + 1].text != "," or not ids <= inside:
            continue
        span = [doc[i] for i in sorted(ids)]
        opener = _opener(span)
        if opener in NOT_CAUSAL or _is_setting(span):
            continue
        by = _participle_agent(c)
        if by:  # "Weakened by drought, the trees died": the by-phrase is the cause, as in <agent>
            return by, rest_of(ids | {end + 1}), "<adjunct>"
        if opener in ("to", "in order", "so as") and any(t.lower_ == "to" for t in span[:3]):
            # "To replenish the soil, growers rotate crops": a fronted purpose infinitive is the
            # intended result of the main clause, as a trailing one is (PDTB Contingency.Purpose)
            goal = span[next(k for k, t in enumerate(span[:3]) if t.lower_ == "to") + 1:]
            if len([t for t in goal if t.is_alpha]) < 3:
                continue  # "To be fair, B", "To sum up, B": a comment on the sentence, no purpose
            return rest_of(ids | {end + 1}), goal, "<adjunct>"
        return _unmarked(span), rest_of(ids | {end + 1}), "<adjunct>"
    # trailing participle / purpose clause
    for c in children:
        if c.dep_ not in ("advcl", "xcomp") or c.i < pred.i:
            continue
        ids = _ids(c)
        span = [doc[i] for i in sorted(ids)]
        opener = _opener(span)
        first = span[0]
        comma = first.i > 0 and doc[first.i - 1].text == ","
        if c.tag_ == "VBG" and comma and first.tag_ == "VBG":  # "A, flooding homes"
            return rest_of(ids), span, "<adjunct>"
        by = _participle_agent(c)
        if comma and by:
            # "B, brought down by A" / "B, powered by A": the by-phrase of a passive participle
            # clause is its demoted subject, the cause of what the main clause states
            return by, rest_of(ids), "<agent>"
        if c.dep_ == "advcl" and opener in ("to", "in order", "so as") and any(t.lower_ == "to" for t in span[:3]):
            return rest_of(ids), span, "<adjunct>"  # "A to stop B": purpose
        if (c.dep_ == "xcomp" and first.lower_ == "to" and c.tag_ == "VB"
                and any(x.dep_ in ("dobj", "oprd", "npadvmod") and x.i < first.i for x in children)):
            # "Farmers keep the soil moist each year to stop B": an infinitive after the verb's own
            # object is a purpose adjunct, not the verb's complement ("want to leave")
            return rest_of(ids), [t for t in span if t.i != first.i], "<adjunct>"
        if c.dep_ == "advcl" and first.lower_ == "so" and first.i > pred.i:
            # "The city installed speed bumps so drivers would slow down": a trailing so-clause is
            # the purpose or result (PDTB: "so", "so that" Result/Purpose), the main clause its cause;
            # the lexicon reads "so" only after a comma or before a pronoun subject
            inner = [t for t in span[1:] if not (t.i == first.i + 1 and t.lower_ == "that")]
            return rest_of(ids), inner, "<adjunct>"
        if c.dep_ == "advcl" and opener not in NOT_CAUSAL and any(t.dep_ in ("mark", "advmod") and t.i == first.i for t in span):
            return _unmarked(span), rest_of(ids), "<adjunct>"
    # a trailing means or reason phrase: "The city cooled its streets by planting trees" (means: the
    # by-gerund brings about the main predicate, PropBank ArgM-MNR read as its cause), "He was fined
    # for speeding", "She kept quiet out of fear" (PropBank ArgM-CAU)
    passive_pred = any(c.dep_ == "nsubjpass" for c in children)
    for c in children:
        if c.dep_ != "prep" or c.i < pred.i:
            continue
        gerund = any(x.dep_ == "pcomp" and x.tag_ == "VBG" for x in c.children)
        if (c.lower_ == "by" and gerund) or (c.lower_ == "for" and passive_pred and _pobj(c)):
            return _pobj(c), rest_of(_ids(c)), "<adjunct>"
        # "following" is tagged as a verb with an object as often as a preposition
        after = _pobj(c) or [doc[i] for x in c.children if x.dep_ == "dobj" for i in sorted(_ids(x))]
        if c.lower_ in ("following", "after") and after and not _is_setting(after):
            # "The mayor resigned following allegations of fraud": post hoc, as the fronted temporal adjuncts
            return after, rest_of(_ids(c)), "<adjunct>"
        of = [x for x in c.children if x.dep_ == "prep" and x.lower_ == "of" and _pobj(x)]
        if c.lower_ == "out" and of and any(t.lemma_ in _MOTIVES for t in _pobj(of[0])[-1:] + [o for o in of[0].children]):
            return _pobj(of[0]), rest_of(_ids(c)), "<adjunct>"  # "out of fear of B"; not "ran out of money"
    # ", which B": a sentential relative after a comma ("Ash filled the sky, which cooled the planet");
    # what the clause before it states brings about the relative clause
    for t in scope:
        if t.dep_ == "relcl" and t.i > pred.i and t.pos_ == "VERB":  # not "a car, which was red"
            ids = _ids(t)
            first = doc[min(ids)]
            if first.lower_ == "which" and first.i > 0 and doc[first.i - 1].text == ",":
                return [x for x in scope if x.i < first.i - 1], [x for x in scope if x.i in ids and x.i != first.i], "<adjunct>"
    subj = [c for c in children if c.dep_ in _SUBJ]
    objs = [c for c in children if c.dep_ in _OBJ]
    src = [c for c in children if c.dep_ == "prep" and c.lower_ == "from"]
    if subj and pred.lemma_ in _RESPONSIBLE:  # "hold [the bank responsible for B]": a small clause
        target = [c for c in children if c.dep_ == "prep" and c.lower_ == "for" and _pobj(c)]
        if target:
            return [doc[i] for i in sorted(_ids(subj[0]))], _pobj(target[0]), "<attribution>"
    named = _named_cause(pred, children, subj)
    if named:
        # "B, and A was responsible" / "A was behind it" / "I blame A" / "Credit goes to A": a clause
        # that names only the cause, of what the clause or sentence before states (causal-v22)
        return named, [], "<attribution>"
    if subj and _to_blame(pred):
        # "A is to blame for B" (and "B happened, and A was to blame": see the coordination rule)
        blame = [c for c in pred.subtree if c.lemma_ == "blame"][0]
        target = [c for c in blame.children if c.dep_ == "prep" and c.lower_ == "for" and _pobj(c)]
        # "A was to blame." with no for-phrase: for what the clause or sentence before states
        return [doc[i] for i in sorted(_ids(subj[0]))], _pobj(target[0]) if target else [], "<attribution>"
    if subj_tokens:
        by = [c for c in children if c.dep_ == "agent" and _pobj(c)]
        if by and pred.tag_ == "VBN":
            # "Low mood over two months, precipitated by job loss": a verbless note whose participle
            # has a by-phrase, the demoted subject, so the cause (as <agent>)
            return _pobj(by[0]), [t for t in subj_tokens if not t.is_punct], "<agent>"
        if objs and not _stative(pred, children):
            return subj_tokens, [t for t in scope if t.i >= pred.i], "<subject>"
        if src and _pobj(src[0]):
            return _pobj(src[0]), rest_of(_ids(src[0])), "<source>"
        return None
    lemma = "be" if copular else pred.lemma_.lower()
    # "B happened, and A was to blame" / "B, and the culprit was A": a coordinated clause that names
    # the cause of something it leaves out (a rule returning an empty effect) is about the first clause
    for c in children:
        if c.dep_ != "conj" or c.i < pred.i:
            continue
        ids = _ids(c)
        inner = _clause_link(c, [t for t in scope if t.i in ids], [], [])
        if inner is not None and inner[0] and not inner[1]:
            return inner[0], [t for t in scope if t.i not in ids and not (t.lower_ == "and" and t.head.i == pred.i)], inner[2]
    # "It was A that set B in motion": an it-cleft; its focus is the subject of the relative clause,
    # read as <subject> when that clause has an object
    if lemma == "be" and subj and subj[0].lower_ == "it":
        focus = [c for c in children if c.dep_ in ("attr", "acomp")]
        rel = [(f, r) for f in focus for r in f.subtree if r.dep_ == "relcl" and any(x.dep_ in _OBJ for x in r.children)
               and any(x.dep_ == "nsubj" and x.lower_ in ("that", "which", "who") for x in r.children)]
        if rel:
            f, r = rel[0]
            rids = _ids(r)
            return ([t for t in scope if t.i in _ids(f) - rids],
                    [t for t in scope if t.i in rids and t.lower_ not in ("that", "which", "who")], "<cleft>")
    # "What keeps people scrolling is A": a wh-cleft with the focus after the copula
    if lemma == "be" and subj and subj[0].dep_ == "csubj" and any(x.lower_ == "what" for x in subj[0].children):
        focus = [c for c in children if c.dep_ in ("attr", "ccomp", "acomp") and c.i > pred.i]
        if focus:
            return ([t for t in scope if t.i in _ids(focus[0])],
                    [t for t in scope if t.i in _ids(subj[0]) and t.lower_ != "what"], "<cleft>")
    # "A is what keeps B up" / "A is how bakers stop B": a wh-cleft; its focus is the cause
    if lemma == "be" and subj:
        # "A is where B came from" (causal-v22): a source clause, the where-focus its origin
        wh = [c for c in children if c.dep_ in ("attr", "ccomp", "acomp", "advcl") and (
            any(x.lower_ in ("what", "how") for x in c.subtree)
            or any(x.lower_ == "where" for x in c.subtree) and any(x.lower_ == "from" for x in c.subtree))]
        if wh and subj[0].lower_ not in ("what", "how") and not any(x.lower_ in ("what", "how", "where") for x in subj[0].subtree):
            ids = _ids(wh[0])
            agent = [c for c in wh[0].children if c.dep_ == "nsubj" and c.lower_ not in ("what", "how", "where")]
            if agent and wh[0].lemma_.lower() in _CAUSING:
                # "B is what A brings about": the focus is the object of the wh-clause's causal
                # verb, so its subject is the cause and the focus the effect (causal-v23)
                return [t for t in scope if t.i in _ids(agent[0])], [doc[i] for i in sorted(_ids(subj[0]))], "<cleft>"
            return [doc[i] for i in sorted(_ids(subj[0]))], [t for t in scope if t.i in ids and t.lower_ not in ("what", "how", "where")], "<cleft>"
    # nominal causation: "the reason for B was A", "B was a consequence of A"; a linking verb
    # ("has become a major cause of B", "remains the main reason for B") reads as the copula
    if lemma in ("be", "become", "remain") and subj:
        attr = [c for c in children if c.dep_ in ("attr", "acomp")]
        if attr and attr[0].lower_ == "one":  # "A is one of the effects of B": the noun after "one of"
            of = [p for p in attr[0].children if p.dep_ == "prep" and p.lower_ == "of"]
            head = [c for c in of[0].children if c.dep_ == "pobj"] if of else []
            attr = head[:1] or attr
        if attr and attr[0].lemma_.lower() == "attributable":  # "B is attributable to A"
            to = [c for c in attr[0].children if c.dep_ == "prep" and c.lower_ == "to" and _pobj(c)]
            if to:
                return _pobj(to[0]), [doc[i] for i in sorted(_ids(subj[0]))], "<attribution>"
        # "The reason (why) B is that A" / "One consequence of A is that B": a that-clause complement
        attr = attr or [c for c in children if c.dep_ == "ccomp" and c.i > subj[0].i]
        if attr:
            s, a = subj[0], attr[0]
            for noun, other in ((s, a), (a, s)):
                comp = [p for p in noun.children if p.dep_ == "prep" and p.lower_ in ("of", "for", "behind", "in")]
                side = [doc[i] for i in sorted(_ids(other))]
                if noun.lemma_.lower() in CAUSE_NOUNS:
                    if comp:
                        return side, _pobj(comp[0]), "<noun>"
                    rel = [c for c in noun.children if c.dep_ in ("relcl", "acl")]
                    if rel:  # "the reason we are late": the relative clause is what the reason is for
                        return side, [doc[i] for i in sorted(_ids(rel[0])) if doc[i].lower_ not in ("why", "that")], "<noun>"
                    # "Rising obesity is the main driver." / "The culprit was A.": of what came before
                    if a.dep_ != "acomp":  # not "The cause is unknown."
                        return side, [], "<noun>"
                if noun.lemma_.lower() in EFFECT_NOUNS:
                    if comp:
                        return _pobj(comp[0]), side, "<noun>"
                    if a.dep_ != "acomp":  # "Job losses were the result.": of what came before
                        return [], side, "<noun>"
        # "Yellow leaves are nearly always from overwatering" / "The pain is most likely from
        # running": a copula with a from-phrase names the source (PropBank ArgM-CAU, as <source>),
        # not a place ("She is from Leeds") or an adjective's complement ("far/free from")
        hedge = [c for c in children if c.dep_ == "acomp" and c.lemma_.lower() in _LIKELY]
        src = [c for c in children + [g for h in hedge for g in h.children] if c.dep_ == "prep" and c.lower_ == "from"]
        if src and _pobj(src[0]) and not _is_setting(_pobj(src[0])) and doc[src[0].i - 1].lower_ not in _FROM_ADJ:
            return _pobj(src[0]), [doc[i] for i in sorted(_ids(subj[0]))], "<source>"
        if lemma == "be":
            return None  # a linking verb without nominal causation is read as any other verb below
    passive = any(c.dep_ == "nsubjpass" for c in children)
    agent = [c for c in children if c.dep_ == "agent"]
    # <attribution>: "Doctors put her headaches down to stress", "The dimming is attributed to dust":
    # the thing attributed is the effect, what it is attributed to the cause
    # "Economists blame A for B" / "hold A responsible for B" (PropBank blame.01, credit.01: the one
    # blamed or credited is the cause of the for-phrase)
    dobj = [c for c in children if c.dep_ == "dobj"]
    if dobj:
        resp = [a for a in children + list(dobj[0].children) if a.lemma_ in _RESPONSIBLE]
        if lemma in ATTRIBUTION or resp:
            near = children + list(dobj[0].subtree)  # "blamed a slump in orders for B": "for" may attach low
            fors = [c for c in near if c.dep_ == "prep" and c.lower_ == "for" and _pobj(c)]
            if fors:
                drop = _ids(fors[0]).union(*(_ids(a) for a in resp))
                return [doc[i] for i in sorted(_ids(dobj[0]) - drop)], _pobj(fors[0]), "<attribution>"
    if lemma in ATTRIBUTION:
        near = children + [g for c in children if c.dep_ in ("prt", "advmod") for g in c.children]  # "put X down to Y"
        to = [c for c in near if c.dep_ in ("prep", "dative") and c.lower_ in ("to", "on") and _pobj(c)]
        thing = [c for c in children if c.dep_ in ("dobj", "nsubjpass")] or subj  # "B traces back to A"
        if to and thing:
            return _pobj(to[0]), [doc[i] for i in sorted(_ids(thing[0]))], "<attribution>"
    # "B followed A" / "A was followed by B": the later event is the subject (PropBank follow.01:
    # Arg1 the follower, Arg2 the thing followed); read post hoc like the temporal adjuncts
    if lemma in LATER_SUBJECT:
        if passive and agent and _pobj(agent[0]):
            return rest_of(_ids(agent[0])), _pobj(agent[0]), "<order>"
        if objs and subj:
            return [doc[i] for i in sorted(_ids(objs[0]))], rest_of(_ids(objs[0])), "<order>"
    # two coordinated clauses, the first without an object ("A squirrel got into the substation and
    # knocked out the power", "Iniesta scored, and that goal won the cup"): narrative order, as <order>
    conj = [c for c in children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and c.i > pred.i]
    if conj and not objs and not agent and any(x.lower_ == "and" and pred.i < x.i < conj[0].i for x in children):
        ids = _ids(conj[0])
        first = [t for t in scope if t.i not in ids and not (t.i < conj[0].i and t.lower_ == "and" and t.head.i == pred.i)]
        return first, [t for t in scope if t.i in ids], "<order>"
    # <agent>: passive with a by-phrase
    if agent and passive:
        cause = _pobj(agent[0])
        later = [c for c in children + list(agent[0].children) if c.dep_ == "conj" and c.lower_ == "by" and _pobj(c)]
        if agent[0].i > 0 and doc[agent[0].i - 1].lower_ == "not" and later:
            # "spread not by bad air but by mosquito bites": the by-phrase after "but" is the cause
            return _pobj(later[0]), [t for t in scope if t.i < agent[0].i - 1], "<agent>"
        if cause:
            return cause, rest_of(_ids(agent[0])), "<agent>"
    if agent and pred.tag_ == "VBN" and not passive and not subj and _pobj(agent[0]):
        # "Knee pain for 3 weeks, aggravated by kneeling": a verbless note the parser roots at the
        # participle; what stands before it is the patient, the by-phrase the cause
        before = [t for t in scope if t.i < pred.i and not t.is_punct]
        if _has_words(before):
            return _pobj(agent[0]), before, "<agent>"
    if passive and src and _pobj(src[0]):  # "Soil becomes depleted from planting the same crop"
        return _pobj(src[0]), rest_of(_ids(src[0])), "<source>"
    if subj and subj[0].tag_ not in ("WDT", "WP", "EX"):
        sids = _ids(subj[0])
        if objs and not _stative(pred, children):  # <subject>
            return [doc[i] for i in sorted(sids)], rest_of(sids), "<subject>"
        if src and _pobj(src[0]):  # <source>
            return _pobj(src[0]), rest_of(_ids(src[0])), "<source>"
    return None


#: epistemic adjectives a copular from-phrase may hang from ("is most likely from A")
_LIKELY = {"likely", "probable", "possible", "certain", "usually", "often"}
#: words before "from" that make it an adjective's or adverb's complement, not a source
_FROM_ADJ = {"far", "away", "free", "different", "apart", "safe", "immune", "distinct", "separate", "absent", "exempt",
             "aside", "clear", "removed", "isolated"}

#: raising and aspectual verbs: their subject belongs to the complement ("tend to", "began to")
_RAISING = {"tend", "seem", "appear", "start", "begin", "continue", "keep", "stop", "cease", "used", "happen",
            "come", "get", "go"}

def _copular_raising(pred: "Token", children: list["Token"]) -> bool:
    """Whether ``pred`` is a raising verb of seeming or finding out that may take "to be" ("turned
    out to be", "proved to be"; Quirk et al. 1985 §16.50 lists *prove* and *turn out* with *seem* and
    *appear*): *turn* only with its particle *out*."""
    lemma = pred.lemma_.lower()
    return lemma == "prove" or lemma == "turn" and any(c.dep_ == "prt" and c.lower_ == "out" for c in children)


#: attribution verbs whose thing attributed is the object and whose cause follows "to"
#: (PropBank attribute.01, ascribe.01, trace.02: Arg1 the thing, Arg2 what it is attributed to)
_ATTRIBUTE_TO = {"attribute", "ascribe", "trace", "chalk"}


def _attribution(pred: "Token", children: list["Token"], scope: list["Token"]):
    """ "attribute B to A" read from word order after the object, which the small parser misreads
    ("to" + noun as a purpose clause); "credit A with B" (credit.01: the one credited is the cause)."""
    lemma = pred.lemma_.lower()
    if lemma in ("put", "chalk", "pin"):
        # "put B down to A" read from the words: the parser often takes a word of B for a verb
        # ("put the poor start down to injuries")
        words = _words([t for t in scope if t.i > pred.i])
        down = next((k for k in range(len(words) - 1) if words[k].lower_ == "down" and words[k + 1].lower_ in ("to", "on")), None)
        if down and _has_words(words[down + 2:]) and _has_words(words[:down]):
            return words[down + 2:], words[:down], "<attribution>"
    if lemma == "owe":  # "B owes a great deal to A" (owe.01 in the sense "is due to")
        subj = [c for c in children if c.dep_ in _SUBJ]
        words = _words([t for t in scope if t.i > pred.i])
        to = next((k for k, t in enumerate(words) if t.lower_ == "to"), None)
        if subj and to is not None and _has_words(words[to + 1:]):
            return words[to + 1:], [t for t in scope if t.i in _ids(subj[0])], "<attribution>"
    dobj = [c for c in children if c.dep_ == "dobj"]
    if not dobj or pred.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in children):
        return None
    obj = _ids(dobj[0])
    after = _words([t for t in scope if t.i > max(obj)])
    if lemma in _ATTRIBUTE_TO:
        to = next((k for k, t in enumerate(after) if t.lower_ == "to"), None)
        if to is not None and _has_words(after[to + 1:]):
            return after[to + 1:], [t for t in scope if t.i in obj], "<attribution>"
    if lemma == "credit":
        with_ = next((k for k, t in enumerate(after) if t.lower_ == "with"), None)
        if with_ is not None and _has_words(after[with_ + 1:]):
            return [t for t in scope if t.i in obj], after[with_ + 1:], "<attribution>"
    return None


def _has_words(tokens: list["Token"]) -> bool:
    return any(t.is_alpha and not t.is_stop for t in tokens)


#: nouns of credit and blame that "go to" the cause ("Credit goes to A", "The blame lies with A")
_CREDIT_NOUNS = {"credit", "blame", "thanks", "kudos"}
_ANAPHORS = {"it", "this", "that", "all", "them", "these"}


def _named_cause(pred: "Token", children: list, subj: list) -> list:
    """The cause of a clause that names only the cause of what comes before it (PropBank blame.01
    and credit.01 with no for-phrase, FrameNet Responsibility): "A was (directly) responsible",
    "A was behind it", "I blame A", "Credit goes to A", "A deserves the credit"; [] otherwise."""
    doc = pred.doc
    preps = {c.lower_: c for c in children if c.dep_ in ("prep", "dative") and _pobj(c)}
    lemma = pred.lemma_.lower()
    if subj and lemma == "be":
        if any(c.dep_ == "acomp" and c.lemma_ in _RESPONSIBLE and not any(
                g.dep_ == "prep" and g.lower_ == "for" for g in c.children) for c in children) and "for" not in preps:
            return [doc[i] for i in sorted(_ids(subj[0]))]
        behind = preps.get("behind")
        target = _pobj(behind) if behind is not None else []
        if len(target) == 1 and target[0].lower_ in _ANAPHORS:
            return [doc[i] for i in sorted(_ids(subj[0]))]
    dobj = [c for c in children if c.dep_ == "dobj"]
    near = children + (list(dobj[0].subtree) if dobj else [])  # "blamed A for B": "for" may attach low
    if lemma in ("blame", "credit") and dobj and pred.tag_ != "VBN" and not any(
            c.dep_ in ("prep", "dative") and c.lower_ in ("for", "on", "to", "with") for c in near):
        return [doc[i] for i in sorted(_ids(dobj[0]))]
    if lemma in ("go", "lie", "belong") and subj and subj[0].lemma_.lower() in _CREDIT_NOUNS:
        to = preps.get("to") or preps.get("with")
        if to is not None:
            return _pobj(to)
    if lemma in ("deserve", "take", "get") and subj and dobj and dobj[0].lemma_.lower() in _CREDIT_NOUNS and not preps:
        return [doc[i] for i in sorted(_ids(subj[0]))]
    return []


def _stative(pred: "Token", children: list) -> bool:
    """A verb of having or relation used statively ("A cook had norovirus"), not causatively ("The
    drill had the students losing focus": an object with its own predicate; "Drought had a
    devastating effect on B": an effect noun as the object)."""
    if pred.lemma_.lower() not in STATIVE:
        return False
    if any(c.dep_ in ("xcomp", "ccomp", "oprd", "acomp") for c in children):
        return False
    objects = [c for c in children if c.dep_ == "dobj"]
    return not any(o.lemma_.lower() in EFFECT_NOUNS | _IMPACT_NOUNS or
                   any(x.dep_ in ("acl", "amod", "relcl") and x.tag_ in ("VBG", "VBN", "JJ") and x.i > o.i for x in o.children)
                   for o in objects)


def _to_blame(pred: "Token") -> bool:
    """ "A is/was to blame": a responsibility predicate whose subject is the cause."""
    return pred.lemma_ == "be" and any(c.lemma_ == "blame" and c.dep_ == "xcomp" for c in pred.children)


def _opener(span: list["Token"]) -> str:
    """The word (or two) an adjunct opens with; "as" marking a finite clause is returned as
    "as-clause" (PDTB: Temporal or Reason, both read as the cause here), not as the "as" of a
    comparison or role ("as a child"), which is in :data:`NOT_CAUSAL`."""
    if span and span[0].lower_ in ("as", "for") and span[0].dep_ == "mark" and any(t.tag_ in _FINITE for t in span):
        # "B, for A had happened": PDTB's Reason conjunction "for" (a preposition elsewhere)
        return span[0].lower_ + "-clause"
    words = [t.lower_ for t in span[:2]]
    if " ".join(words) in NOT_CAUSAL or " ".join(words) in ("in order", "so as"):
        return " ".join(words)
    return words[0] if words else ""


def _unmarked(span: list["Token"]) -> list["Token"]:
    """An adjunct clause without its opening subordinator ("after", "as", "when", "once"), so that
    its span is the clause, as a connective link's span is."""
    return span[1:] if len(span) > 1 and (span[0].dep_ == "mark" or span[0].tag_ == "WRB") else span


def _participle_agent(clause: "Token") -> list["Token"]:
    """The object of the *by*-phrase of a passive participle clause ("weakened by drought"), or []."""
    if clause.tag_ != "VBN":
        return []
    return next((_pobj(x) for x in clause.children if x.dep_ == "agent" and _pobj(x)), [])


def _pobj(prep: "Token") -> list["Token"]:
    objs = [c for c in prep.children if c.dep_ in ("pobj", "pcomp")]
    return [prep.doc[i] for i in sorted(set().union(*(_ids(o) for o in objs)))] if objs else []
