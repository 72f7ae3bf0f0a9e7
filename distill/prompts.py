"""Prompts sent to the *teacher* (the student's prompts are the task pack's, so that what a
Claire checkpoint is trained on is exactly what ``climate_fever_cec`` / ``gsm8k_causal`` /
``gpqa_causal_*`` ask it at evaluation time).

Sources: seed 000 §4.1 (Climate-FEVER causal explanations from a teacher), seed 002 §5.3.1 (the
Claire data-generation prompt, verbatim), seed 003 §3.1–3.3 (topic word, counterfactual
completion, positive/negative-view CoT; the paper shows these prompts only as figures, so the
wording here follows its text: demonstrations + instruction, one request per non-answer option).
"""
from __future__ import annotations

# -- seed 000 §4.1 --------------------------------------------------------------------------------
CEC_TEACHER_SYSTEM = (
    "You are a teacher model that writes causal explanations for claim verification. You are given a "
    "claim, evidence sentences and the claim's label. Explain how the evidence supports or contradicts "
    "the claim, highlighting the cause-and-effect relationships that connect the evidence to the claim's "
    "accuracy. Write a few plain sentences (no lists, no headings)."
)

# -- seed 002 §5.3.1, verbatim ----------------------------------------------------------------------
CLAIRE_TEACHER_SYSTEM = """You are a helpful assistant whose task it is to generate synthetic data for the supervised fine-tuning of a smaller LLM.

You will be given a question and your task is to generate an answer and *causal* reasoning traces.

Your reasoning trace should involve building a causal world model based on your knowledge, the query, and any other user context. You should try very hard to reason causally to the best of your ability. You should think step-by-step and reassess your causal reasoning if necessary.

When outputting your causal reasoning, you should use <think>...</think> XML tags to denote the reasoning trace, and <causality>...</causality> XML tags to denote the use of causality-aware reasoning. Note that the causality tokens should be used within the thinking tokens.

You MUST return the ENTIRE reasoning trace, i.e. everything in the <think> and <causality> XML tags as well.

You should follow this format:

<think>

Do some thinking, if necessary (you may exclude this part if not needed)

<causality>

Build a world model of relevant concepts, from the query and your knowledge

Reason about the world model and query in a causal manner

</causality>

Do some more thinking, if necessary (you may exclude this part if not needed)

</think>

Finally, answer the query based on your thinking above."""

# -- seed 003 §3.1: topic word ---------------------------------------------------------------------
TOPIC_WORD_DEMOS = (
    ("What might be the result if one is convicted of obstructing justice?", "obstructing justice"),
    ("My body cast a shadow over the grass. What was the cause of this?", "shadow"),
    ("The man turned on the faucet. What happened as a result?", "faucet"),
)


def topic_word_messages(question: str) -> list[dict]:
    demos = "\n\n".join(f"Text: {q}\nTopic word: {t}" for q, t in TOPIC_WORD_DEMOS)
    return [
        {"role": "system", "content": "Find the topic word of a text: the word or short phrase the statement is "
                                      "about, copied exactly from the text. Reply with the topic word only."},
        {"role": "user", "content": f"{demos}\n\nText: {question}\nTopic word:"},
    ]


# -- seed 003 §3.2: counterfactual completion --------------------------------------------------------
COUNTERFACTUAL_DEMOS = (
    {
        "masked": "What might be the result if one is convicted of [MASK]?",
        "options": ["going to jail", "winning an award", "losing weight"],
        "answer": "winning an award",
        "completion": "What might be the result if one is convicted of being the best athlete of the season by a jury of sports journalists?",
    },
    {
        "masked": "[MASK] cast [MASK] over [MASK]. What was the cause of this?",
        "options": ["The sun was rising.", "The grass was cut."],
        "answer": "The grass was cut.",
        "completion": "The lawn looked short and even over the whole garden. What was the cause of this?",
    },
)


def _options_text(options: list[str]) -> str:
    return "\n".join(f"({chr(65 + i)}) {o}" for i, o in enumerate(options))


def counterfactual_messages(masked: str, options: list[str], target: str) -> list[dict]:
    demos = "\n\n".join(
        f"Question: {d['masked']}\nChoices:\n{_options_text(list(d['options']))}\nExpected answer: {d['answer']}\n"
        f"Question completion: {d['completion']}"
        for d in COUNTERFACTUAL_DEMOS
    )
    return [
        {"role": "system", "content": "Complete a masked question: replace every [MASK] with words so that the "
                                      "expected answer becomes the correct choice. Change only the [MASK] parts; keep "
                                      "every other word as it is. Reply with the completed question only."},
        {"role": "user", "content": f"{demos}\n\nQuestion: {masked}\nChoices:\n{_options_text(options)}\n"
                                    f"Expected answer: {target}\nQuestion completion:"},
    ]


# -- seed 003 §3.2 (self-consistency) and §3.3 (multi-view CoT) --------------------------------------
def answer_messages(question: str, options: list[str]) -> list[dict]:
    """One sampled reasoning path ending in a letter (for the >3-of-5 self-consistency check)."""
    return [
        {"role": "user", "content": f"Question: {question}\nChoices:\n{_options_text(options)}\n\n"
                                    "Think step by step, then finish with a line of the form "
                                    "'The answer is (X)'."},
    ]


def positive_view_messages(question: str, options: list[str], answer: str) -> list[dict]:
    return [
        {"role": "user", "content": f"Question: {question}\nChoices:\n{_options_text(options)}\n"
                                    f"Correct answer: {answer}\n\nExplain step by step, through causes and effects, "
                                    "why this answer is correct. Do not restate the answer at the end."},
    ]


def negative_view_messages(question: str, options: list[str], answer: str, wrong: str) -> list[dict]:
    return [
        {"role": "user", "content": f"Question: {question}\nChoices:\n{_options_text(options)}\n"
                                    f"Correct answer: {answer}\n\nExplain step by step, through causes and effects, "
                                    f"why the choice '{wrong}' is wrong. Do not restate the choice at the end."},
    ]


#: seed 003 §3.4 training formats
DIRECT = "[Direct election]"
ELIMINATION = "[Elimination method]"
