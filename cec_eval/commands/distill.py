"""``cec-eval distill``: teacher -> filter -> augment -> format -> sft, one sub-command per step
(each reads the previous step's file), ``run`` for the whole offline chain, and ``grpo`` to refine
a checkpoint with reinforcement learning on the task pack's rewards (docs/grpo.md)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cec_eval.errors import InputError

NAME = "distill"
HELP = "distil Claire checkpoints: teacher traces, gold filter, counterfactual/multi-view augmentation, formatting, LoRA SFT, GRPO, held-out experiment"


def _fraction(text: str) -> float:
    """argparse type for ``--min-success``: a number in [0, 1] (a usage error otherwise)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a fraction in [0, 1], got {text}")
    return value


def _teacher_args(p: argparse.ArgumentParser, default_backend: str = "dataset") -> None:
    g = p.add_argument_group("teacher backend")
    g.add_argument("--backend", choices=("dataset", "openai", "hf"), default=default_backend,
                   help="dataset: rationales shipped with the data (offline); openai: any OpenAI-compatible "
                        "endpoint; hf: a local transformers model (default for hf: the embedded SmolLM2)")
    g.add_argument("--model", help="teacher model: served model name (openai) or local folder (hf)")
    g.add_argument("--base-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (default: api.openai.com)")
    g.add_argument("--api-key-env", default="OPENAI_API_KEY",
                   help="NAME of the environment variable holding the key ('none': no auth). The key itself is never written.")
    g.add_argument("--max-concurrency", type=int, default=8)
    g.add_argument("--max-retries", type=int, default=5)
    g.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    g.add_argument("--batch-size", type=int, default=8, help="hf backend: prompts per generate() call")
    g.add_argument("--temperature", type=float, default=0.0)
    g.add_argument("--max-tokens", type=int, default=1024)
    g.add_argument("--length-retries", type=int, default=0, metavar="N",
                   help="openai: ask an answer cut at --max-tokens again up to N times, doubling the budget each "
                        "time (default 0: cut answers are kept apart in <output>.truncated.jsonl and counted)")
    g.add_argument("--max-tokens-limit", type=int, help="openai: never grow the budget past this many tokens")
    g.add_argument("--min-success", type=_fraction, default=0.0, metavar="FRACTION",
                   help="exit with status 1 when fewer than this share of requests were answered (default 0: "
                        "only when none was); the outputs of what was answered are written first")
    g.add_argument("--cache", help="append-only request cache (default: <output>.cache.jsonl); rerun to resume")


def _source_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("input")
    g.add_argument("--source", default="climate_fever",
                   choices=("climate_fever", "gsm8k", "copa", "ecare", "jsonl", "gpqa"),
                   help="shipped dataset (gpqa is refused here: it may only be used in memory, see docs/distill.md)")
    g.add_argument("--input", help="with --source jsonl: your items (prompt/question, options, answer, rationale)")
    g.add_argument("--limit", type=int, help="at most this many items")
    g.add_argument("--offset", type=int, default=0,
                   help="skip this many items first (climate_fever: keep >= the lm-eval --limit so no evaluated claim is trained on)")
    g.add_argument("--shuffle-seed", type=int, help="shuffle (after --offset) with this seed")
    g.add_argument("--labels", default="SUPPORTS,REFUTES", help="climate_fever claim labels to use")
    g.add_argument("--split", default="train", help="gsm8k split")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="step", metavar="STEP")

    p = sub.add_parser("teacher", help="items -> traces.jsonl (prompt, completion, gold, ...)")
    _source_args(p)
    _teacher_args(p)
    p.add_argument("-o", "--output", required=True, help="traces JSONL")

    p = sub.add_parser("filter", help="drop traces whose final answer disagrees with the gold label")
    p.add_argument("-i", "--input", required=True)
    p.add_argument("-o", "--output", required=True)

    p = sub.add_parser("augment", help="counterfactual questions (self-consistency filtered) + multi-view CoT rows")
    _source_args(p)
    _teacher_args(p, default_backend="openai")
    p.add_argument("--items", help="multiple-choice items JSONL (question, options, gold letter) instead of --source")
    p.add_argument("--paths", type=int, default=5, help="sampled reasoning paths per counterfactual")
    p.add_argument("--min-agree", type=int, default=4, help="keep when at least this many paths agree (seed 003: more than 3 of 5)")
    p.add_argument("--path-temperature", type=float, default=0.7)
    p.add_argument("--no-multiview", action="store_true", help="only counterfactual generation and filtering")
    p.add_argument("-o", "--output", required=True)

    p = sub.add_parser("format", help="rows with prompt/completion -> train.jsonl, eval.jsonl, report.json")
    p.add_argument("-i", "--input", required=True, nargs="+", help="one or more JSONL files (traces, augmented rows)")
    p.add_argument("-o", "--output", required=True, help="output folder")
    p.add_argument("--base-model", help="student tokenizer for the report and chat template (default: embedded SmolLM2)")
    p.add_argument("--no-chat", action="store_true", help="plain-text records (base models without a chat template)")
    p.add_argument("--token-map", default="none", choices=("none", "qwen"), help="qwen: <think> -> <|im_start|>think (seed 002)")
    p.add_argument("--system-prompt")
    p.add_argument("--eval-fraction", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("sft", help="LoRA (QLoRA on CUDA) SFT with trl; saves adapter (+ merged model) and a model card")
    p.add_argument("--train", required=True)
    p.add_argument("--eval")
    p.add_argument("--base-model", help="student model folder (default: embedded SmolLM2-135M-Instruct)")
    p.add_argument("--preset", default="claire", choices=("claire", "cec-paper"))
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a preset field (repeatable)")
    p.add_argument("--merge", action="store_true", help="also save a merged model for lm_eval --model hf")
    p.add_argument("--no-resume", action="store_true", help="ignore checkpoints from an interrupted run")
    p.add_argument("-o", "--output", required=True)

    p = sub.add_parser("grpo", help="refine a base model or Claire adapter with trl GRPO on the task pack's rewards "
                                    "(answer correctness, format compliance, optional CEC); saves adapter (+ merged)")
    _source_args(p)
    p.set_defaults(source="gsm8k")
    p.add_argument("--train", help="prompt/gold rows JSONL (e.g. a teacher step's traces.jsonl; its completion is the "
                                   "CEC reference) instead of --source")
    p.add_argument("--model", help="policy: a model folder or a peft adapter folder (default: embedded SmolLM2-135M-Instruct)")
    p.add_argument("--base-model", help="base of an adapter --model whose config does not name a usable base")
    p.add_argument("--preset", default="claire-grpo", choices=("claire-grpo", "smoke"))
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="override a preset field (repeatable), e.g. reward_cec_sym=0.5 num_generations=4")
    p.add_argument("--merge", action="store_true", help="also save a merged model for lm_eval --model hf")
    p.add_argument("--no-resume", action="store_true", help="ignore checkpoints from an interrupted run")
    p.add_argument("-o", "--output", required=True)

    p = sub.add_parser("experiment", help="held-out Claire experiment: GSM8K train -> Claire traces -> SFT (preset "
                                          "claire) -> base vs Claire on GSM8K test + Climate-FEVER (docs/claire_experiment.md)")
    _teacher_args(p)
    p.add_argument("--train-items", type=int, default=None,
                   help="GSM8K train items (default: the full run's, sized for 60 min of SFT on 2 cores)")
    p.add_argument("--eval-items", type=int, default=None, help="first N GSM8K test items (default 200)")
    p.add_argument("--cf-items", type=int, default=None, help="first N Climate-FEVER claims (default 60)")
    p.add_argument("--max-gen-toks", type=int, default=None, help="generation budget per answer (default 384)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a field of preset claire (repeatable)")
    p.add_argument("--base-model", help="student model folder (default: embedded SmolLM2-135M-Instruct)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads during evaluation (default 1)")
    p.add_argument("--eval-batch-size", type=int, default=None, help="generation batch size (experiment default 8, else 1)")
    p.add_argument("--smoke", action="store_true", help="8 items, 2 steps, 4 eval items, 32 tokens (the test suite's run)")
    p.add_argument("-o", "--output", required=True, help="experiment folder")

    p = sub.add_parser("run", help="teacher -> filter -> format -> sft in one folder (offline by default)")
    _source_args(p)
    _teacher_args(p)
    p.add_argument("--base-model")
    p.add_argument("--preset", default="claire", choices=("claire", "cec-paper"))
    p.add_argument("--set", action="append", metavar="NAME=VALUE")
    p.add_argument("--token-map", default="none", choices=("none", "qwen"))
    p.add_argument("--eval-fraction", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--merge", action="store_true")
    p.add_argument("-o", "--output", required=True, help="run folder")


def _items(args):
    from cec_eval.distill.sources import load_items
    from cec_eval.errors import InputError

    if args.source == "gpqa":
        raise InputError("--source gpqa: GPQA may only be held in memory, never written to files; use the Python API "
                         "(cec_eval.distill.sources.load_items('gpqa') ... sft.train(records=...)), see docs/distill.md")
    return load_items(args.source, limit=args.limit, offset=args.offset, seed=args.shuffle_seed,
                      labels=[s for s in args.labels.split(",") if s], split=args.split, path=args.input)


def _backend(args, output: str):
    from cec_eval.distill.teacher import make_backend

    key_env = None if str(args.api_key_env).lower() == "none" else args.api_key_env
    return make_backend(args.backend, model=args.model, base_url=args.base_url, api_key_env=key_env,
                        cache_path=args.cache or f"{output}.cache.jsonl", max_concurrency=args.max_concurrency,
                        max_retries=args.max_retries, timeout=args.timeout, batch_size=args.batch_size,
                        length_retries=args.length_retries, max_tokens_limit=args.max_tokens_limit)


def _say(obj) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False))


def step_teacher(args, output: str | None = None) -> dict:
    """Writes ``output`` (traces), ``output.truncated.jsonl`` (answers cut at the budget, when any)
    and ``output.summary.json``; returns the summary."""
    from cec_eval.distill.records import write_json, write_jsonl
    from cec_eval.distill.teacher import run_teacher

    output = output or args.output
    items = _items(args)
    if not items:
        where = f"{args.input}: no rows" if args.source == "jsonl" else f"--source {args.source}: no items"
        raise InputError(f"{where} (check --offset/--limit/--labels)")
    client = None if args.backend == "dataset" else _backend(args, output)
    params = {"temperature": args.temperature, "max_tokens": args.max_tokens}
    traces, summary = run_teacher(items, args.backend, client, params)
    truncated = summary.pop("truncated_rows")
    write_jsonl(traces, output)
    summary["output"] = output
    # always written (empty too), so a stale file from an earlier run is never read as this one's
    summary["truncated_output"] = write_jsonl(truncated, f"{output}.truncated.jsonl").as_posix()
    write_json(summary, f"{output}.summary.json")
    return summary


def _check_teacher(summary: dict, args) -> None:
    """:class:`cec_eval.chat.TooFewAnswers` when too few items became traces (``--min-success``)."""
    from cec_eval.chat import check_success

    check_success(summary["traces"], summary["items"], args.min_success, what="items")


def _rows(path: str, required: tuple[str, ...], types: dict[str, type | tuple] | None = None) -> list[dict]:
    """The rows of a step's input file: not empty, each with ``required`` fields of the right type
    (text unless ``types`` says otherwise); errors name the file, row and field."""
    from cec_eval.distill.records import read_jsonl

    rows = read_jsonl(path, required=required)
    if not rows:
        raise InputError(f"{path}: no rows")
    types = types or {}
    for i, row in enumerate(rows):
        for name in required:
            want = types.get(name, str)
            if not isinstance(row[name], want):
                got = "null" if row[name] is None else type(row[name]).__name__
                names = "/".join(t.__name__ for t in (want if isinstance(want, tuple) else (want,)))
                raise InputError(f"{path}: row {i}: field {name!r} is {got}, expected {names}")
    return rows


def step_filter(inp: str, out: str) -> dict:
    from cec_eval.distill.filters import gold_filter
    from cec_eval.distill.records import write_json, write_jsonl

    kept, summary = gold_filter(_rows(inp, ("prompt", "completion")))
    write_jsonl(kept, out)
    summary["output"] = out
    write_json(summary, f"{out}.summary.json")
    return summary


def step_format(inputs: list[str], out_dir: str, base_model: str | None, chat: bool, token_map: str,
                system_prompt: str | None, eval_fraction: float, seed: int) -> dict:
    from transformers import AutoTokenizer

    from cec_eval.distill.formatting import format_rows
    from cec_eval.distill.records import write_json, write_jsonl

    rows = []
    for path in inputs:
        rows += _rows(path, ("prompt", "completion"))
    if base_model is None:
        from cec_eval.resources import smollm2_model_dir

        base_model = smollm2_model_dir()
    tok = AutoTokenizer.from_pretrained(base_model)
    if chat and not getattr(tok, "chat_template", None):
        print(f"note: {base_model} has no chat template; writing plain-text records", file=sys.stderr)
        chat = False
    train, eval_, report = format_rows(rows, chat=chat, token_map=token_map, eval_fraction=eval_fraction, seed=seed,
                                       system_prompt=system_prompt, tokenizer=tok)
    out = Path(out_dir)
    write_jsonl(train, out / "train.jsonl")
    write_jsonl(eval_, out / "eval.jsonl")
    report["inputs"] = list(inputs)
    report["tokenizer"] = base_model
    write_json(report, out / "report.json")
    return report


def step_grpo(args) -> dict:
    """``cec-eval distill grpo``: rows from --train (or --source items, whose dataset rationale is
    the CEC reference), checked with the settings before any model is loaded."""
    from cec_eval.distill import grpo

    overrides = grpo.parse_overrides(args.set)
    grpo.resolve_settings(args.preset, overrides)  # a bad --set fails before any work
    if args.train:
        rows = grpo.load_rows(args.train)
    else:
        if args.source == "climate_fever":
            raise InputError("--source climate_fever has no answers to reward; use gsm8k, copa, ecare or --train")
        items = _items(args)
        rows = grpo.load_rows([{**it, "completion": it.get("completion") or it.get("rationale")} for it in items])
    res = grpo.train(args.train or rows, args.output, model=args.model, base_model=args.base_model, preset=args.preset,
                     overrides=overrides, merge=args.merge, resume=not args.no_resume)
    return {k: v for k, v in res.items() if k != "settings"}


def step_experiment(args) -> dict:
    """``cec-eval distill experiment``: :func:`cec_eval.distill.experiment.run_experiment` with the
    full run's sizes, or ``--smoke``'s; explicit sizes win over both."""
    from cec_eval.distill import experiment as X
    from cec_eval.distill import sft

    size = X.SMOKE if args.smoke else {"train_items": X.FULL_TRAIN_ITEMS, "eval_items": X.FULL_EVAL_ITEMS,
                                       "cf_items": X.FULL_CF_ITEMS, "max_gen_toks": X.FULL_MAX_GEN_TOKS,
                                       "eval_batch_size": X.FULL_EVAL_BATCH_SIZE, "overrides": {}}
    pick = lambda name: getattr(args, name) if getattr(args, name) is not None else size[name]  # noqa: E731
    overrides = {**size["overrides"], **sft.parse_overrides(args.set)}
    client, params = None, None
    if args.backend != "dataset":
        client = _backend(args, str(Path(args.output) / "traces.jsonl"))
        params = {"temperature": args.temperature, "max_tokens": args.max_tokens}
    res = X.run_experiment(args.output, train_items=pick("train_items"), eval_items=pick("eval_items"),
                           cf_items=pick("cf_items"), max_gen_toks=pick("max_gen_toks"), seed=args.seed,
                           overrides=overrides, backend=args.backend, client=client, teacher_params=params,
                           base_model=args.base_model, threads=args.threads,
                           batch_size=args.eval_batch_size if args.eval_batch_size is not None else size.get("eval_batch_size"))
    print(X.markdown(res.get("results", [])), file=sys.stderr)
    return {k: res[k] for k in ("command_args", "data", "sft", "sft_wall_s", "eval_wall_s") if k in res}


def run(args) -> int:
    step = getattr(args, "step", None)
    if step is None:
        raise InputError("choose a step: teacher, filter, augment, format, sft, grpo, run or experiment (cec-eval distill -h)")
    if step == "teacher":
        summary = step_teacher(args)
        _say(summary)
        _check_teacher(summary, args)
    elif step == "filter":
        _say(step_filter(args.input, args.output))
    elif step == "augment":
        from cec_eval.chat import check_success
        from cec_eval.distill.augment import augment
        from cec_eval.distill.records import write_json, write_jsonl

        items = (_rows(args.items, ("question", "options", "gold"), {"options": list, "gold": (str, int)})
                 if args.items else _items(args))
        client = _backend(args, args.output)
        rows, summary = augment(items, client, n_paths=args.paths, min_agree=args.min_agree,
                                temperature=args.path_temperature, max_tokens=args.max_tokens,
                                multiview=not args.no_multiview)
        write_jsonl(rows, args.output)
        summary["output"] = args.output
        write_json(summary, f"{args.output}.summary.json")
        _say(summary)
        check_success(summary["requests"] - summary["failed_requests"], summary["requests"], args.min_success)
    elif step == "format":
        _say(step_format(args.input, args.output, args.base_model, not args.no_chat, args.token_map,
                         args.system_prompt, args.eval_fraction, args.seed))
    elif step == "sft":
        from cec_eval.distill import sft

        for path in (args.train, args.eval):  # checked here, before any model is loaded
            if path:
                _rows(path, ("prompt", "completion"))
        res = sft.train(args.train, args.output, base_model=args.base_model, eval_data=args.eval, preset=args.preset,
                        overrides=sft.parse_overrides(args.set), merge=args.merge, resume=not args.no_resume)
        _say({k: v for k, v in res.items() if k != "settings"})
    elif step == "grpo":
        _say(step_grpo(args))
    elif step == "experiment":
        _say(step_experiment(args))
    elif step == "run":
        from cec_eval.distill import sft

        out = Path(args.output)
        overrides = sft.parse_overrides(args.set)
        sft.resolve_settings(args.preset, overrides)  # fail on a bad --set before any work
        summary = {"teacher": step_teacher(args, str(out / "traces.jsonl"))}
        _check_teacher(summary["teacher"], args)  # no training on what a broken teacher left
        summary["filter"] = step_filter(str(out / "traces.jsonl"), str(out / "filtered.jsonl"))
        summary["format"] = step_format([str(out / "filtered.jsonl")], str(out / "data"), args.base_model, True,
                                        args.token_map, None, args.eval_fraction, args.seed)
        res = sft.train(out / "data" / "train.jsonl", out / "model", base_model=args.base_model,
                        eval_data=out / "data" / "eval.jsonl" if args.eval_fraction > 0 else None,
                        preset=args.preset, overrides=overrides, merge=args.merge)
        summary["sft"] = {k: v for k, v in res.items() if k != "settings"}
        _say(summary)
    return 0
