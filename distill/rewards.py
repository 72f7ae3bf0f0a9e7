"""GRPO reward functions built from the task pack's own scoring (trl's reward-function protocol).

Each reward is the per-completion value of a ``gsm8k_causal`` / ``gpqa_causal_*`` metric, computed
by the same code lm-eval runs, so what GRPO optimises is what the leaderboard reports:

``answer_correct``    1.0 when the final answer matches the row's ``gold``, else 0.0. Numbers: the
                      ``math-verify`` pipeline of ``gsm8k_causal`` (:func:`cec_eval.tasks.filters.analyse`
                      in ``math`` mode, then :func:`cec_eval.tasks.metrics.is_correct`); letters
                      (``kind == "letter"``): the strict "The answer is (X)" rule of ``gpqa_causal_*``.
                      An answer inside an unfinished think block is no answer (0.0), as in the task.
``format_compliance`` 1.0 when :func:`cec_eval.tasks.causality.parse_causal_response` finds a think
                      block with a causality block inside it and a non-empty answer, else 0.0
                      (the ``format`` pipeline's ``format_compliance``).
``cec_sym``           CEC_sym (seed 000 Eq. 2, in [-1, 1]; the project's default encoder) of the
                      completion's reasoning (the parser's ``reasoning``: the think block) against
                      the reasoning of the row's ``reference`` (the teacher trace: a traces file's
                      ``completion``); ``None`` for rows without one (trl then leaves this reward
                      out for that row).

trl calls every reward as ``fn(prompts=..., completions=..., completion_ids=..., **columns)`` where
``columns`` are the dataset's other fields, one list entry per completion; completions are strings,
or ``[{"role": "assistant", "content": ...}]`` lists for conversational prompts. Each function
returns one float (or None) per completion. trl names a reward by its ``__name__`` in its logs
(``rewards/answer_correct/mean``), and :data:`REWARDS` maps the names used by ``--reward`` and the
``reward_weights`` of :mod:`cec_eval.distill.grpo` to the functions.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence


def completion_text(completion: Any) -> str:
    """The generated text of one trl completion: a string, or the content of the last message of a
    conversational completion (a list of ``{"role", "content"}`` dicts)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, (list, tuple)):
        parts = [m.get("content") for m in completion if isinstance(m, dict)]
        return str(parts[-1] or "") if parts else ""
    return "" if completion is None else str(completion)


def _column(values: Sequence | None, n: int, name: str) -> list:
    if values is None:
        raise ValueError(f"the reward needs a {name!r} column in the training rows")
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{name!r} has {len(values)} entries for {n} completions")
    return values


def answer_correct(completions: Sequence, gold: Sequence | None = None, kind: Sequence | None = None,
                   **_: Any) -> list[float]:
    """1.0 per completion whose final answer equals its row's ``gold`` under the task pack's rule
    (module docstring), else 0.0. ``kind``: ``"number"`` (default) or ``"letter"`` per row."""
    from cec_eval.tasks.filters import analyse
    from cec_eval.tasks.metrics import is_correct

    golds = _column(gold, len(completions), "gold")
    kinds = list(kind) if kind is not None else ["number"] * len(completions)
    out = []
    for completion, g, k in zip(completions, golds, kinds):
        text = completion_text(completion)
        if g is None:
            out.append(0.0)
            continue
        if k == "letter":
            r = analyse(text, "answer", "strict", "letter")
            ok = is_correct({"choices": [], "answer": str(g).strip().upper()}, r)
        else:
            r = analyse(text, "answer", "math", "number")
            ok = is_correct({"gold": str(g)}, r)
        out.append(1.0 if ok else 0.0)
    return out


def format_compliance(completions: Sequence, **_: Any) -> list[float]:
    """1.0 per completion in the Claire causality format (think > causality, then an answer)."""
    from cec_eval.tasks.causality import parse_causal_response

    return [1.0 if parse_causal_response(completion_text(c)).compliant else 0.0 for c in completions]


def reasoning_text(text: str) -> str:
    """The part of a response that CEC scores: the parser's ``reasoning`` (think block, or the
    whole text when there are no markers)."""
    from cec_eval.tasks.causality import parse_causal_response

    return parse_causal_response(text).reasoning


def make_cec_reward(scorer: Any = None, **scorer_kwargs: Any) -> Callable[..., list[float | None]]:
    """A ``cec_sym`` reward using ``scorer`` (a :class:`cec_eval.CECScorer`), or the process-wide
    :func:`cec_eval.get_scorer` with ``scorer_kwargs`` (loaded at the first call)."""

    def cec_sym(completions: Sequence, reference: Sequence | None = None, **_: Any) -> list[float | None]:
        refs = _column(reference, len(completions), "reference")  # the teacher trace
        preds = [reasoning_text(completion_text(c)) for c in completions]
        rows = [i for i, r in enumerate(refs) if isinstance(r, str) and reasoning_text(r).strip()]
        out: list[float | None] = [None] * len(completions)
        if not rows:
            return out
        from cec_eval import get_scorer

        s = scorer if scorer is not None else get_scorer(**scorer_kwargs)
        res = s.score([preds[i] for i in rows], [reasoning_text(refs[i]) for i in rows])
        for i, value in zip(rows, res.sym):
            out[i] = float(value)
        return out

    return cec_sym


#: reward name -> factory of the reward function (``cec_sym`` loads an encoder, so it is built on demand)
REWARDS: dict[str, Callable[[], Callable[..., list]]] = {
    "answer_correct": lambda: answer_correct,
    "format_compliance": lambda: format_compliance,
    "cec_sym": make_cec_reward,
}
