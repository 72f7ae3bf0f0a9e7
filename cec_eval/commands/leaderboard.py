"""``cec-eval leaderboard``: base vs fine-tuned checkpoints on the task pack, with deltas,
paired significance and bar plots (see docs/leaderboard.md)."""
from __future__ import annotations

import argparse
import sys

NAME = "leaderboard"
HELP = "run lm-eval on base and fine-tuned checkpoints, table (md/csv/json) with deltas, significance and PNG plots"

DEFAULT_TASKS = ("climate_fever_cec", "gsm8k_causal", "gpqa_causal_diamond")  # = cec_eval.leaderboard.DEFAULT_TASKS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--checkpoint", "-c", action="append", default=[], metavar="NAME=SPEC",
        help="a checkpoint; SPEC is [BACKEND:]MODEL_ARGS (backend hf by default; a bare path = pretrained=PATH), e.g. "
        "base=/models/smol  claire=pretrained=/models/smol,peft=/runs/adapter  "
        "served=local-chat-completions:model=m,base_url=http://host/v1/chat/completions. Repeat.",
    )
    parser.add_argument("--config", metavar="FILE", help="YAML/JSON file of checkpoints (and optionally tasks, limit, base)")
    parser.add_argument("--base", metavar="NAME", help="checkpoint the others are compared with (default: the first; a file may pair per checkpoint)")
    parser.add_argument("--offline-demo", action="store_true",
                        help="add the embedded SmolLM2-135M-Instruct as checkpoint 'smollm2-base' (and the base) when not given")
    parser.add_argument("--tasks", "-t", nargs="+", help=f"tasks (default: {' '.join(DEFAULT_TASKS)})")
    parser.add_argument("--limit", type=float, default=None, help="samples per task (an int; <1 = fraction, as lm-eval)")
    parser.add_argument("--output-dir", "-o", default="leaderboard", help="where results, table and plots go (default ./leaderboard)")
    parser.add_argument("--max-gen-toks", type=int, help="cap generated tokens (part of the cache key)")
    parser.add_argument("--gen-kwargs", help="extra lm-eval gen_kwargs, 'k=v,k=v' (part of the cache key)")
    parser.add_argument("--no-chat-template", action="store_true", help="prompt without the chat template")
    parser.add_argument("--num-fewshot", type=int)
    parser.add_argument("--system-instruction")
    parser.add_argument("--metadata", help="JSON passed to the tasks (e.g. '{\"references\": \"teacher.jsonl\"}')")
    parser.add_argument("--batch-size", default=None, help="generation batch size (default 1; an int or 'auto')")
    parser.add_argument("--device", help="device for local backends (default cuda if available, else cpu)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's; 1 is often fastest on a busy shared CPU)")
    parser.add_argument("--metrics", default=None, help="comma list of table metrics (default cec_sym,exact_match,acc,judged_acc,format_compliance)")
    parser.add_argument("--allow-gpqa-plaintext", action="store_true",
                        help="keep GPQA questions, options and answers in samples.jsonl (default: stripped; GPQA must not be "
                        "published in plain text)")
    parser.add_argument("--force", action="store_true", help="re-run even when results are cached")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--format", "-f", choices=("markdown", "csv", "json"), default="markdown", help="what to print on stdout")


def run(args: argparse.Namespace) -> int:
    import json

    from cec_eval import leaderboard as lb
    from cec_eval.errors import InputError

    file_cfg: dict = {}
    checkpoints = []
    if args.config:
        from cec_eval.io import read_text

        read_text(args.config)  # the one reader first: bad bytes or a folder are one line naming the file
        file_cfg = lb.load_config(args.config)
        checkpoints += file_cfg["checkpoints"]
    checkpoints += [lb.parse_checkpoint(c) for c in args.checkpoint]
    base = args.base or file_cfg.get("base")
    if args.offline_demo and not any(c.name == "smollm2-base" for c in checkpoints):
        from cec_eval.resources import smollm2_model_dir

        checkpoints.insert(0, lb.Checkpoint("smollm2-base", "hf", {"pretrained": smollm2_model_dir()}))
        base = base or "smollm2-base"
    limit = args.limit if args.limit is not None else file_cfg.get("limit")
    if limit is not None:
        limit = float(limit)
        if limit <= 0:
            raise InputError(f"--limit: must be positive, got {limit}")
        if limit >= 1:
            if limit != int(limit):
                raise InputError(f"--limit: a count must be whole, got {limit}")
            limit = int(limit)
    gen_kwargs = lb.parse_model_args(args.gen_kwargs, "--gen-kwargs") if args.gen_kwargs else {}
    if args.max_gen_toks is not None:
        if args.max_gen_toks < 1:
            raise InputError(f"--max-gen-toks: must be at least 1, got {args.max_gen_toks}")
        gen_kwargs["max_gen_toks"] = args.max_gen_toks
    metadata = None
    if args.metadata:
        try:
            metadata = json.loads(args.metadata)
        except json.JSONDecodeError as e:
            raise InputError(f"--metadata: not JSON: {e}") from None
    batch = args.batch_size
    if batch is not None and batch != "auto":
        try:
            batch = int(batch)
        except ValueError:
            raise InputError(f"--batch-size: an integer or 'auto', got {batch!r}") from None
    config = lb.EvalConfig(
        limit=limit,
        gen_kwargs=gen_kwargs or None,
        apply_chat_template=not args.no_chat_template,
        num_fewshot=args.num_fewshot,
        system_instruction=args.system_instruction,
        metadata=metadata,
        batch_size=batch,
        device=args.device,
        threads=args.threads,
        gpqa_plaintext=args.allow_gpqa_plaintext,
    )
    tasks = args.tasks or file_cfg.get("tasks") or list(lb.DEFAULT_TASKS)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else lb.TABLE_METRICS
    board = lb.run_leaderboard(
        checkpoints, tasks, args.output_dir, config, base=base, metrics=metrics, force=args.force, plots=not args.no_plots
    )
    if args.format == "json":
        print(json.dumps(board.to_dict(), indent=2, default=str))
    elif args.format == "csv":
        import csv

        csv.writer(sys.stdout).writerows(board.csv_rows())
    else:
        print(board.markdown())
    print(f"written: {', '.join(board.files.values())}", file=sys.stderr)
    # exit 1 when any checkpoint failed: the table is still written
    return 1 if board.errors else 0
