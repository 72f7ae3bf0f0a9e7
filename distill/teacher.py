"""Teacher step: items -> traces (``{"prompt", "completion", ...}`` rows).

Backends
  ``openai``   any OpenAI-compatible endpoint through :class:`cec_eval.chat.ChatClient`
               (OpenAI, vLLM ``vllm serve``, llama.cpp ``llama-server``, ...);
  ``hf``       a local transformers model (:class:`LocalChatModel`), same request/result shape and
               the same append-only cache, so it resumes the same way;
  ``dataset``  the rationales already in the data (Climate-FEVER annotated evidence, GSM8K worked
               solutions, GPQA expert explanations, COPA-SSE / e-CARE explanations): fully offline.

Both model backends expose ``complete_many(requests, desc) -> list[ChatResult]``; the augment
step uses the same interface, and both apply the one reply rule of :func:`cec_eval.chat.reply_problem`
(non-empty text, an accepted finish reason) to fresh and cached answers alike.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Sequence

from cec_eval.chat import (USAGE_FIELDS, ChatClient, ChatResult, JsonlCache, reply_problem, request_key,
                           validate_request)
from cec_eval.errors import InputError

log = logging.getLogger(__name__)

BACKENDS = ("dataset", "openai", "hf")


class LocalChatModel:
    """A transformers causal LM answering chat requests (chat template, batched ``generate``).

    Request params understood: ``max_tokens``, ``temperature`` (0/absent: greedy), ``top_p``,
    ``n``, ``seed``; ``_``-prefixed keys only change the cache key (and the sampling seed)."""

    def __init__(self, model: str, batch_size: int = 8, cache_path: str | os.PathLike | None = None,
                 device: str | None = None, max_new_tokens: int = 256, show_progress: bool | None = None) -> None:
        self.model_path = str(model)
        self.model = Path(self.model_path).name or self.model_path
        self.batch_size = max(1, int(batch_size))
        self.cache = JsonlCache(cache_path) if cache_path is not None else None
        self.device = device
        self.max_new_tokens = max_new_tokens
        self.show_progress = show_progress
        self.usage = {k: 0 for k in USAGE_FIELDS}
        self._lm = None
        self._tok = None

    def _load(self) -> None:
        if self._lm is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self._tok = AutoTokenizer.from_pretrained(self.model_path)
        self._tok.padding_side = "left"  # decoder-only batched generation
        if self._tok.pad_token is None:
            self._tok.pad_token = self._tok.eos_token
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._lm = AutoModelForCausalLM.from_pretrained(self.model_path).to(device).eval()

    def _generate(self, reqs: list[dict], keys: list[str]) -> list[dict]:
        import torch

        p = reqs[0]
        n = int(p.get("n", 1))
        temperature = float(p.get("temperature", 0.0) or 0.0)
        texts = [self._tok.apply_chat_template(r["messages"], tokenize=False, add_generation_prompt=True) for r in reqs]
        enc = self._tok(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(self._lm.device)
        # a seed per batch derived from the first request key: resumed runs resample identically
        torch.manual_seed(int(p.get("seed", int(keys[0][:8], 16))))
        kwargs: dict[str, Any] = {"max_new_tokens": int(p.get("max_tokens", self.max_new_tokens)),
                                  "num_return_sequences": n, "pad_token_id": self._tok.pad_token_id}
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=float(p.get("top_p", 1.0)))
        else:
            kwargs.update(do_sample=False)
        with torch.no_grad():
            out = self._lm.generate(**enc, **kwargs)
        gen = out[:, enc["input_ids"].shape[1]:]
        budget = kwargs["max_new_tokens"]
        ends = {self._tok.pad_token_id, self._tok.eos_token_id}
        records = []
        for i, key in enumerate(keys):
            rows = gen[i * n:(i + 1) * n]
            outs = [self._tok.decode(r, skip_special_tokens=True).strip() for r in rows]
            # a row that used the whole budget without an end token was cut, as an API's "length"
            finish = ["length" if len(r) >= budget and not any(int(t) in ends for t in r) else "stop" for r in rows]
            prompt_tokens = int(enc["attention_mask"][i].sum())
            completion_tokens = int(sum((r != self._tok.pad_token_id).sum() for r in rows))
            records.append({"key": key, "model_requested": self.model, "request": reqs[i], "texts": outs,
                            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                      "total_tokens": prompt_tokens + completion_tokens},
                            "finish_reason": finish[0], "finish_reasons": finish, "model": self.model,
                            "attempts": 1, "created": time.time()})
        return records

    @staticmethod
    def _problem(rec: dict) -> tuple[str, str] | None:
        finish = rec.get("finish_reasons")
        if not isinstance(finish, list):
            finish = [rec.get("finish_reason")] * len(rec.get("texts") or [])
        return reply_problem(rec.get("texts") or [], finish)

    def complete_many(self, requests: Sequence[dict], desc: str = "teacher (hf)",
                      show_progress: bool | None = None) -> list[ChatResult]:
        reqs = [validate_request(r, i) for i, r in enumerate(requests)]
        keys = [request_key(self.model, r) for r in reqs]
        done: dict[str, dict] = {}
        pending: dict[str, dict] = {}
        for k, r in zip(keys, reqs):
            rec = self.cache.get(k) if self.cache is not None else None
            if rec is not None and self._problem(rec) is None:  # a cached non-answer is asked again
                done[k] = {**rec, "_cached": True}
            else:
                pending.setdefault(k, r)
        if pending:
            self._load()
        from tqdm.auto import tqdm

        show = self.show_progress if show_progress is None else show_progress
        # group by generation params: one generate() call needs one setting
        groups: dict[str, list[str]] = {}
        for k, r in pending.items():
            sig = repr(sorted((a, b) for a, b in r.items() if a != "messages" and not a.startswith("_")))
            groups.setdefault(sig, []).append(k)
        errors: dict[str, ChatResult] = {}
        with tqdm(total=len(pending), desc=desc, disable=not (show if show is not None else len(pending) > 1)) as bar:
            for group in groups.values():
                for s in range(0, len(group), self.batch_size):
                    batch = group[s:s + self.batch_size]
                    try:
                        for rec in self._generate([pending[k] for k in batch], batch):
                            for f in USAGE_FIELDS:
                                self.usage[f] += rec["usage"][f]
                            problem = self._problem(rec)
                            if problem is not None:  # the same rule as the API client: never cached
                                kind, reason = problem
                                errors[rec["key"]] = ChatResult(
                                    key=rec["key"], error=reason, failure=kind, attempts=1,
                                    finish_reasons=rec["finish_reasons"], finish_reason=rec["finish_reason"],
                                    partial=(rec["texts"][0] or None) if kind == "length" else None)
                                continue
                            if self.cache is not None:
                                self.cache.append(rec)
                            done[rec["key"]] = rec
                    except Exception as e:  # reported per row, like the API backend
                        for k in batch:
                            errors[k] = ChatResult(key=k, error=f"{type(e).__name__}: {e}"[:500], failure="error")
                    bar.update(len(batch))
        results = []
        for k in keys:
            if k in errors:
                results.append(errors[k])
                continue
            rec = done[k]
            texts = rec["texts"]
            results.append(ChatResult(key=k, text=texts[0] if texts else "", texts=texts, usage=rec.get("usage"),
                                      finish_reason=rec.get("finish_reason"), model=rec.get("model"),
                                      cached=bool(rec.get("_cached")), attempts=0 if rec.get("_cached") else 1,
                                      finish_reasons=list(rec.get("finish_reasons") or [rec.get("finish_reason")])))
        return results


def make_backend(backend: str, model: str | None = None, base_url: str | None = None,
                 api_key_env: str | None = "OPENAI_API_KEY", cache_path: str | os.PathLike | None = None,
                 max_concurrency: int = 8, max_retries: int = 5, timeout: float = 60.0, batch_size: int = 8,
                 length_retries: int = 0, max_tokens_limit: int | None = None):
    """A ``complete_many`` backend for ``openai`` or ``hf`` (``dataset`` needs none).
    ``length_retries``: (openai) times a reply cut at ``max_tokens`` is asked again with twice
    the budget, at most ``max_tokens_limit``."""
    if backend == "openai":
        if not model:
            raise InputError("teacher backend 'openai' needs --model (the served model's name)")
        return ChatClient(base_url, model, api_key_env=api_key_env, max_concurrency=max_concurrency,
                          max_retries=max_retries, timeout=timeout, cache_path=cache_path,
                          length_retries=length_retries, max_tokens_limit=max_tokens_limit)
    if backend == "hf":
        if not model:
            from cec_eval.resources import smollm2_model_dir

            model = smollm2_model_dir()
        return LocalChatModel(model, batch_size=batch_size, cache_path=cache_path)
    raise InputError(f"unknown teacher backend {backend!r}; choose from {list(BACKENDS)}")


def run_teacher(items: list[dict], backend: str = "dataset", client: Any = None,
                params: dict[str, Any] | None = None) -> tuple[list[dict], dict[str, Any]]:
    """Traces for ``items`` and a summary.

    A trace is the item plus ``completion``, ``finish_reason`` and ``teacher`` (backend, model,
    params). Only answers that pass :func:`cec_eval.chat.reply_problem` become traces. Items the
    teacher could not answer are left out and counted in ``failed`` (by kind in ``failures``);
    answers cut at the token budget are counted in ``truncated`` and kept apart in
    ``summary["truncated_rows"]`` (the item's id, the cut text as ``partial``, the finish
    reason and the params asked with; never a trace). Rerunning with the same cache sends only what is not answered yet."""
    summary: dict[str, Any] = {"backend": backend, "items": len(items), "traces": 0, "failed": 0, "truncated": 0,
                               "failures": {}, "no_rationale": 0, "cached": 0, "usage": {k: 0 for k in USAGE_FIELDS}}
    traces: list[dict] = []
    truncated_rows: list[dict] = []
    if backend == "dataset":
        for it in items:
            if not it.get("rationale"):
                summary["no_rationale"] += 1
                continue
            traces.append({**it, "completion": it["rationale"], "finish_reason": None,
                           "teacher": {"backend": "dataset", "model": it["source"]}})
    else:
        if client is None:
            raise InputError(f"teacher backend {backend!r} needs a client (see make_backend)")
        params = dict(params or {})
        if getattr(client, "cache", None) is not None:
            # the cache stores each request's messages in plain text
            from .records import check_writable

            check_writable(items)
        results = client.complete_many([{"messages": it["teacher_messages"], **params} for it in items], desc="teacher")
        for it, res in zip(items, results):
            if not res.ok:
                kind = res.failure or "error"
                summary["failures"][kind] = summary["failures"].get(kind, 0) + 1
                if res.truncated:
                    summary["truncated"] += 1
                    truncated_rows.append({"id": it["id"], "partial": res.partial, "finish_reason": "length",
                                           "params": params})
                else:
                    summary["failed"] += 1
                log.warning("%s: %s", it["id"], res.error)
                continue
            summary["cached"] += int(res.cached)
            for k in USAGE_FIELDS:
                summary["usage"][k] += int((res.usage or {}).get(k, 0))
            teacher = {"backend": backend, "model": getattr(client, "model", None), "params": params}
            if getattr(res, "budget", None):  # answered on a grown budget (length_retries)
                teacher["budget"] = res.budget
            traces.append({**it, "completion": res.text.strip(), "finish_reason": res.finish_reason,
                           "teacher": teacher, "usage": res.usage})
    summary["traces"] = len(traces)
    summary["truncated_rows"] = truncated_rows
    return traces, summary
