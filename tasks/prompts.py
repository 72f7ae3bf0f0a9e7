"""Prompts (``doc_to_text``) of the task pack.

The GSM8K / GPQA instruction follows the Claire data-generation prompt of seed 002 §5.3.1: reason
inside ``<think>``, build and use a causal world model inside ``<causality>`` (nested in the think
block), then answer after ``</think>``. The answer line is fixed ("The answer is ...") so strict
extraction has something exact to look for.
"""
from __future__ import annotations

from .data import LETTERS

CAUSAL_FORMAT = (
    "Reason causally before you answer. Use this format:\n"
    "<think>\n"
    "Think step by step, if needed.\n"
    "<causality>\n"
    "Build a world model of the relevant quantities or concepts and how they cause one another, "
    "then reason about the question with it.\n"
    "</causality>\n"
    "More thinking, if needed.\n"
    "</think>\n"
    "{answer_line}"
)


def climate_fever_prompt(doc: dict) -> str:
    evidence = "\n".join(f"{i}. {s}" for i, s in enumerate(doc["evidences"], 1))
    label = doc["claim_label"]
    verdict = {
        "SUPPORTS": "supports the claim",
        "REFUTES": "refutes the claim",
        "DISPUTED": "is disputed: parts of it support the claim and parts refute it",
        "NOT_ENOUGH_INFO": "does not give enough information to judge the claim",
    }[label]
    return (
        f"Claim: {doc['claim']}\n"
        f"Evidence:\n{evidence}\n"
        f"Label: {label}\n\n"
        f"The evidence {verdict}. Explain why, as a short chain of causes and effects that links "
        f"the relevant evidence to the claim.\nExplanation:"
    )


def gsm8k_prompt(doc: dict) -> str:
    fmt = CAUSAL_FORMAT.format(answer_line="Finally, give the answer on its own line as: The answer is <number>.")
    return f"{fmt}\n\nQuestion: {doc['question']}\n"


def gpqa_prompt(doc: dict) -> str:
    options = "\n".join(f"({letter}) {text}" for letter, text in zip(LETTERS, doc["choices"]))
    fmt = CAUSAL_FORMAT.format(answer_line="Finally, give the answer on its own line as: The answer is (X), where X is A, B, C or D.")
    return f"{fmt}\n\nQuestion: {doc['question']}\n\nOptions:\n{options}\n"
