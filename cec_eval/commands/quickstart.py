"""``cec-eval quickstart``: the README's main job, offline, in minutes on a laptop CPU.

Runs the ``climate_fever_cec`` lm-eval task on the embedded SmolLM2-135M-Instruct (hf backend) for
``--limit`` claims and prints lm-eval's results table and the CEC signature. It is the same as::

    lm_eval --include_path "$(cec-eval tasks-path)" --tasks climate_fever_cec --model hf \\
        --model_args pretrained=<SmolLM2 folder> --apply_chat_template --limit 10
"""
from __future__ import annotations

import argparse

NAME = "quickstart"
HELP = "score climate_fever_cec with CEC on the embedded SmolLM2-135M-Instruct (offline, a few minutes)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=10, help="number of claims (default 10)")
    parser.add_argument("--task", default="climate_fever_cec", help="task to run (default climate_fever_cec)")
    parser.add_argument("--max-gen-toks", type=int, default=None, help="cap on generated tokens (default: the task's)")
    parser.add_argument("--batch-size", type=int, default=None, help="generation batch size (default: the limit, up to 16)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads while generating (default 1: fastest measured on a shared 2-core CPU)")
    parser.add_argument("--no-chat-template", action="store_true", help="prompt the model without its chat template")
    parser.add_argument("--gguf", action="store_true", help="load the shipped GGUF file directly (slower start)")
    parser.add_argument("--output", metavar="PATH", help="also write lm-eval's results JSON here")


def run(args: argparse.Namespace) -> int:
    from cec_eval.errors import InputError
    from cec_eval.runtime import offline_env, torch_threads

    if args.limit < 1:
        raise InputError(f"--limit: must be at least 1, got {args.limit}")
    if args.threads < 1:
        raise InputError(f"--threads: must be at least 1, got {args.threads}")
    with offline_env(), torch_threads(args.threads):  # nothing here needs the network
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from cec_eval.errors import InputError
    from cec_eval.tasks import TASKS

    if args.task not in TASKS:
        raise InputError(f"--task: {args.task!r} is not one of {list(TASKS)}")

    from lm_eval import simple_evaluate
    from lm_eval.utils import make_table

    from cec_eval.io import write_json
    from cec_eval.resources import smollm2_gguf, smollm2_model_dir
    from cec_eval.tasks import task_manager

    if args.gguf:
        folder, gguf = smollm2_gguf()
        model_args = {"pretrained": folder, "gguf_file": gguf}  # tokenizer from the GGUF too
    else:
        model_args = {"pretrained": smollm2_model_dir()}
    import torch

    model_args["dtype"] = "float32"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    gen_kwargs = {"max_gen_toks": args.max_gen_toks} if args.max_gen_toks else None
    results = simple_evaluate(
        model="hf",
        model_args=model_args,
        tasks=[args.task],
        limit=args.limit,
        device=device,
        # one batch for the whole quickstart: a second, small batch would cost a second full
        # sequential decode (generation time is per step, nearly flat in batch size on a CPU)
        batch_size=args.batch_size or min(args.limit, 16),
        apply_chat_template=not args.no_chat_template,
        gen_kwargs=gen_kwargs,
        task_manager=task_manager(include_defaults=False),
        log_samples=False,
    )
    print(make_table(results))
    metrics = results["results"][args.task]
    signatures = sorted({v for k, v in metrics.items() if k.startswith("cec_signature,")})
    from cec_eval.fingerprint import environment_fingerprint

    for sig in signatures:
        print(f"CEC signature: {sig}")
    print(f"environment: {environment_fingerprint()} (python -m cec_eval.fingerprint; equals the lock's after make install)")
    if args.output:
        import json

        # task configs hold the hook functions: stored by name, as lm-eval's own output does
        keep = {k: results[k] for k in ("results", "configs", "versions", "n-shot", "higher_is_better", "config") if k in results}
        keep["environment_fingerprint"] = environment_fingerprint()
        write_json(json.loads(json.dumps(keep, default=str)), args.output)
    return 0
