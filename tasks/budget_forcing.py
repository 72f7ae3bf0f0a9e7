"""Budget forcing (s1: Muennighoff et al. 2025, "s1: Simple test-time scaling", §3.1) as an lm-eval
model: ``--model hf-budget``, lm-eval's ``HFLM`` with a controlled think phase.

Each response is generated in two phases:

1. **Think**, at most ``think_budget`` tokens (None: no cap). When the model tries to end its
   thinking (it writes the end-of-think marker ``think_end``, default ``</think>``, or stops: EOS or
   one of the task's ``until`` strings) and fewer than ``extend`` extensions were used, the marker
   (or stop) is removed, ``wait`` (default ``"Wait"``) is appended and generation continues: s1's
   "suppress the end-of-thinking delimiter and append Wait". When the budget runs out first, the
   think block is closed by force: ``"\\n" + think_end + "\\n" + answer_prefix`` is appended (s1
   appends the delimiter and "Final Answer:"; here ``answer_prefix`` defaults to ``"The answer
   is"``, the answer line the task pack's prompts ask for; set ``answer_prefix=`` for none).
2. **Answer**, after the marker: up to ``answer_budget`` tokens (None: what is left of the task's
   ``max_gen_toks``), stopping at the task's ``until`` strings / EOS as with ``--model hf``.

The total never exceeds the task's ``max_gen_toks``. A model that stops before its budget with
``extend=0`` gets exactly what ``--model hf`` would give it (greedy decoding), and with no
``think_budget`` and ``extend=0`` nothing is forced at all. Every ``--model hf`` argument works
(``pretrained``, ``peft``, ``dtype``, ``device``, ``batch_size``, ...); rows are generated one at a
time because each row's phases end at different points.

Command line (``register`` must run in the lm-eval process; this module's ``main`` does it and then
runs ``cec-eval lm-eval`` with the given arguments)::

    python -m cec_eval.tasks.budget_forcing run --model hf-budget \\
        --model_args pretrained=<model>,think_budget=128,extend=1 --tasks gsm8k_causal --apply_chat_template

The budget is part of ``model_args``, which lm-eval writes to the results (``config.model_args``);
the counts of what was forced in the run (rows, think blocks capped, "Wait"s appended, think
tokens) are logged at the end of each ``generate_until`` and kept in :attr:`BudgetForcingLM.stats`.
"""
from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import asdict, dataclass
from typing import Any

from lm_eval.models.huggingface import HFLM

log = logging.getLogger(__name__)

NAME = "hf-budget"
TARGET = "cec_eval.tasks.budget_forcing:BudgetForcingLM"


def register() -> None:
    """Make ``--model hf-budget`` known to lm-eval's model registry (idempotent). lm-eval's own
    models are registered first: ``get_model`` only imports them while the registry is empty."""
    import lm_eval.models  # noqa: F401  (registers lm-eval's models)
    from lm_eval.api.registry import model_registry

    if NAME not in model_registry:
        model_registry.register(NAME, target=TARGET)


def _none_or_int(value: Any, name: str) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"hf-budget: {name}={value!r} is not a whole number") from None
    if number < 0:
        raise ValueError(f"hf-budget: {name}={number} is negative")
    return number


@dataclass
class BudgetStats:
    """What budget forcing did in one run (counts of rows / tokens)."""

    rows: int = 0
    capped: int = 0  # think blocks closed by force at the budget
    waits: int = 0  # "Wait" extensions appended
    natural_ends: int = 0  # think blocks the model closed itself (marker written, no extension left)
    think_tokens: int = 0  # tokens generated in the think phase, forced text included

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


class BudgetForcingLM(HFLM):
    """``HFLM`` with s1 budget forcing (module docstring).

    Args:
        think_budget: most tokens in the think phase (None: no cap; 0: close it at once).
        extend: how many times an attempt to end thinking is replaced by ``wait`` (0: never).
        think_end: the end-of-think marker (``</think>``; ``<|im_start|>answer`` for the Qwen-token format).
        wait: text appended on an extension (s1: "Wait").
        answer_prefix: text forced after the marker when the budget closes the think block.
        answer_budget: most tokens after the marker (None: the rest of ``max_gen_toks``).
        **kwargs: everything ``--model hf`` takes.
    """

    def __init__(self, think_budget: int | str | None = None, extend: int | str = 0, think_end: str = "</think>",
                 wait: str = "Wait", answer_prefix: str = "The answer is", answer_budget: int | str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.think_budget = _none_or_int(think_budget, "think_budget")
        self.extend = _none_or_int(extend, "extend") or 0
        self.answer_budget = _none_or_int(answer_budget, "answer_budget")
        if not str(think_end).strip():
            raise ValueError("hf-budget: think_end must not be empty")
        self.think_end, self.wait, self.answer_prefix = str(think_end), str(wait), str(answer_prefix)
        self.stats = BudgetStats()

    # -- lm-eval entry points -----------------------------------------------------------------

    def generate_until(self, requests, disable_tqdm: bool = False) -> list[str]:
        before = BudgetStats(**self.stats.to_dict())
        out = super().generate_until(requests, disable_tqdm=disable_tqdm)
        run = {k: v - getattr(before, k) for k, v in self.stats.to_dict().items()}
        log.info("budget forcing (think_budget=%s, extend=%s): %s", self.think_budget, self.extend, run)
        return out

    def _model_generate(self, context, max_length: int, stop: list[str], **generation_kwargs):
        import torch

        mask = generation_kwargs.pop("attention_mask", None)
        generation_kwargs = self._sampling(generation_kwargs)
        max_new = max_length - context.shape[1]
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.eot_token_id
        rows = []
        for i in range(context.shape[0]):
            ids = context[i][mask[i].bool()] if mask is not None else context[i]
            new = self.force_row(ids.tolist(), max_new, stop, generation_kwargs)
            rows.append(context[i].tolist() + new)
        width = max(len(r) for r in rows)
        return torch.tensor([r + [pad] * (width - len(r)) for r in rows], dtype=context.dtype, device=context.device)

    # -- the two phases -------------------------------------------------------------------------

    @staticmethod
    def _sampling(kwargs: dict) -> dict:
        """lm-eval's HFLM rule: temperature 0 (the default) means greedy decoding."""
        kwargs = dict(kwargs)
        kwargs["temperature"] = kwargs.get("temperature", 0.0)
        if kwargs["temperature"] == 0.0 and kwargs.get("do_sample") is None:
            kwargs["do_sample"] = False
        if kwargs.get("do_sample") is False and kwargs["temperature"] == 0.0:
            kwargs.pop("temperature")
        return kwargs

    def _encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False) if text else []

    def _generate(self, ids: list[int], max_new: int, stops: list[str], kwargs: dict) -> tuple[list[int], str | None, str]:
        """(new tokens without a final EOS, the stop that ended them or None, their text)."""
        import torch

        inp = torch.tensor([ids], device=self.device)
        out = self.model.generate(input_ids=inp, attention_mask=torch.ones_like(inp), max_new_tokens=max_new,
                                  stop_strings=[s for s in stops if s] or None, tokenizer=self.tokenizer,
                                  pad_token_id=self.tokenizer.pad_token_id, use_cache=True, **kwargs)
        piece = out[0, len(ids):].tolist()
        eos = set(self._eos_ids())
        hit = None
        while piece and piece[-1] in eos:
            piece.pop()
            hit = "<eos>"
        text = self.tokenizer.decode(piece, skip_special_tokens=True)
        found = [(text.find(s), s) for s in stops if s and s in text]
        if found:
            hit = min(found)[1]
        return piece, hit, text

    def _eos_ids(self) -> list[int]:
        eos = self.model.generation_config.eos_token_id
        ids = list(eos) if isinstance(eos, (list, tuple)) else [eos] if eos is not None else []
        return ids + [self.eot_token_id]

    def force_row(self, ids: list[int], max_new: int, until: list[str], kwargs: dict) -> list[int]:
        """The generated tokens for one prompt ``ids`` under budget forcing, at most ``max_new``."""
        eos_text = {self.tok_decode(self.eot_token_id, skip_special_tokens=False)}
        until = [s for s in until if s and s not in eos_text]
        new: list[int] = []
        waits = 0
        closed = False
        self.stats.rows += 1
        while True:
            room = max_new - len(new)
            if self.think_budget is not None:
                room = min(room, self.think_budget - len(new))
            if room <= 0:
                break
            piece, hit, text = self._generate(ids + new, room, [self.think_end, *until], kwargs)
            if hit is None:  # the budget (or max_new) ran out mid-thought
                if not piece:  # nothing generated and no stop seen: do not spin
                    break
                new += piece
                continue
            cut = text.find(hit) if hit != "<eos>" else len(text)
            if waits < self.extend:  # s1: suppress the end of thinking, append "Wait"
                new += self._encode(text[:cut].rstrip() + ("\n" if text[:cut].strip() else "") + self.wait)
                waits += 1
                self.stats.waits += 1
                continue
            if hit == self.think_end:
                new += self._encode(text[: cut + len(hit)])
                closed = True
                self.stats.natural_ends += 1
                break
            # the model stopped (EOS / an until string) without closing a think block: as --model hf
            self.stats.think_tokens += len(piece) + len(new)
            return new + piece
        self.stats.think_tokens += len(new)
        if not closed:
            if len(new) >= max_new:  # max_gen_toks itself ran out: nothing is left to force into
                return new[:max_new]
            forced = "\n" + self.think_end + "\n" + self.answer_prefix
            new += self._encode(forced)
            self.stats.capped += 1
        room = max_new - len(new)
        if self.answer_budget is not None:
            room = min(room, self.answer_budget)
        if room <= 0:
            return new[:max_new]
        piece, hit, _ = self._generate(ids + new, room, until, kwargs)
        return new + piece


def main(argv: list[str] | None = None) -> int:
    """``python -m cec_eval.tasks.budget_forcing [run] --model hf-budget ...``: ``cec-eval lm-eval``
    with ``hf-budget`` registered (the task pack is visible as there)."""
    from cec_eval.commands import lm_eval as command
    from cec_eval.errors import InputError

    register()
    try:
        return command.run(argparse.Namespace(lm_eval_args=list(sys.argv[1:] if argv is None else argv)))
    except InputError as e:
        print(f"budget_forcing: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    from cec_eval.tasks.budget_forcing import main as _main  # the installed module, not a __main__ copy

    sys.exit(_main())
