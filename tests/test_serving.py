"""The evaluation side of serving (docs/serving.md): lm-eval's ``local-chat-completions`` against a
local OpenAI-compatible server on 127.0.0.1 that runs the embedded SmolLM2 through transformers on
CPU (the test server of ``tests/chat_server.py`` with a real model behind it, standing in for
``vllm serve``). The served path must give the same responses and the same gsm8k_causal numbers as
evaluating the same checkpoint in-process with ``--model hf``."""
from __future__ import annotations

import pytest

from chat_server import ChatServer, Reply

GEN = {"max_gen_toks": 24}


class TransformersResponder:
    """An OpenAI chat-completions body -> the model's greedy reply, as a serving engine does it:
    the model's chat template, ``max_tokens`` new tokens at most, generation stopped at the first
    ``stop`` string, which is not returned (vLLM's and OpenAI's rule); ``finish_reason`` ``length``
    when the budget ran out."""

    def __init__(self, folder: str) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModelForCausalLM.from_pretrained(folder, dtype="float32").eval()
        self.bodies: list[dict] = []

    def __call__(self, body: dict) -> Reply:
        import torch

        self.bodies.append(body)
        assert body.get("temperature", 0) == 0, "this server only decodes greedily"
        text = self.tok.apply_chat_template(body["messages"], tokenize=False, add_generation_prompt=True)
        ids = self.tok(text, return_tensors="pt", add_special_tokens=False)
        stops = [s for s in body.get("stop") or [] if s and s != self.tok.eos_token]
        with torch.no_grad():
            out = self.model.generate(**ids, max_new_tokens=int(body["max_tokens"]), do_sample=False,
                                      stop_strings=stops or None, tokenizer=self.tok,
                                      pad_token_id=self.tok.pad_token_id or self.tok.eos_token_id)
        new = out[0, ids["input_ids"].shape[1]:]
        reply = self.tok.decode(new, skip_special_tokens=True)
        for s in stops:
            reply = reply.split(s)[0]
        ended = len(new) and int(new[-1]) == self.tok.eos_token_id
        return Reply(reply, "stop" if ended or len(new) < int(body["max_tokens"]) else "length")


@pytest.fixture(autouse=True)
def _one_torch_thread():
    from cec_eval.runtime import torch_threads

    with torch_threads(1):
        yield


def _evaluate(model: str, model_args: str, **kw):
    from lm_eval import simple_evaluate

    from cec_eval.tasks import task_manager

    return simple_evaluate(model=model, model_args=model_args, tasks=["gsm8k_causal"], limit=2, gen_kwargs=GEN,
                           apply_chat_template=True, bootstrap_iters=0, log_samples=True,
                           task_manager=task_manager(include_defaults=False), **kw)


@pytest.mark.slow
def test_served_smollm2_scores_like_the_in_process_model(smollm2_dir):
    from cec_eval.tasks import data
    from cec_eval.tasks.prompts import gsm8k_prompt

    responder = TransformersResponder(smollm2_dir)
    with ChatServer(responder=responder, model="claire") as srv:
        served = _evaluate("local-chat-completions",
                           f"model=claire,base_url={srv.base_url}/chat/completions,tokenizer_backend=None,max_retries=1")
    local = _evaluate("hf", f"pretrained={smollm2_dir},dtype=float32,device=cpu,batch_size=1")

    # the server saw the task pack's prompt, the budget and the stop sequence lm-eval asked for
    docs = data.gsm8k()["test"].select(range(2))
    asked = sorted(b["messages"][-1]["content"] for b in responder.bodies)
    assert asked == sorted(gsm8k_prompt(d) for d in docs)
    assert all(b["max_tokens"] == GEN["max_gen_toks"] and "Question:" in b["stop"] for b in responder.bodies)

    # the same responses as the in-process checkpoint, hence the same numbers
    resp = {name: sorted((s["doc_id"], s["resps"][0][0]) for s in out["samples"]["gsm8k_causal"]
                         if s["filter"] == "strict-match") for name, out in (("served", served), ("local", local))}
    assert resp["served"] == resp["local"]
    assert all(text.strip() for _, text in resp["served"])
    ms, ml = served["results"]["gsm8k_causal"], local["results"]["gsm8k_causal"]
    for key in ("exact_match,strict-match", "exact_match,math-verify", "format_compliance,format", "cec_sym,reasoning"):
        assert ms[key] == pytest.approx(ml[key], abs=1e-9), key
    assert served["config"]["model"] == "local-chat-completions"
