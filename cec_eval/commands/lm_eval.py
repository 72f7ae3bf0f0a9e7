"""``cec-eval lm-eval run|ls|validate ...``: lm-eval's own CLI, with two additions.

* The task pack is visible however Python was started: the lm-eval hook (which the installed
  ``.pth`` already sets up) is installed in this process too. Everything after ``lm-eval`` goes to
  lm-eval unchanged, your own ``--include_path`` included (it wins on a name clash).
  ``cec-eval lm-eval --model hf --tasks ...`` (no sub-command) means ``run``, as in lm-eval.
* GPQA stays encrypted: a run that would write GPQA rows to disk in plain text (``--log_samples``,
  ``--predict_only``, ``--cache_requests true|refresh``, from the command line or a ``--config``
  file) on a ``gpqa_causal_*`` task (by name, tag, group or glob) is refused with one line saying
  why, unless ``--allow-gpqa-plaintext`` is given (this flag is cec-eval's own and is not passed on).
* The results record the environment they were computed in: ``run`` adds the environment
  fingerprint to the tasks' metadata (see :func:`with_environment`).
"""
from __future__ import annotations

import argparse
import fnmatch

NAME = "lm-eval"
HELP = ("run lm-eval with the cec_eval tasks available and the environment fingerprint recorded (e.g. cec-eval lm-eval run --model hf --tasks climate_fever_cec ...); "
        "--allow-gpqa-plaintext permits --log_samples on GPQA tasks")
OPT_IN = "--allow-gpqa-plaintext"
#: Why GPQA rows must not be written in plain text (one line, shown on refusal).
GPQA_WHY = ("GPQA's authors ship it encrypted and ask that its questions never appear in plain text online, "
            "where they could leak into training data")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "lm_eval_args",
        nargs=argparse.REMAINDER,
        metavar="[--allow-gpqa-plaintext] [run|ls|validate] ...",
        help="arguments for lm-eval, passed on unchanged (no sub-command means 'run', as in lm-eval)",
    )
    # argparse's REMAINDER refuses a first token that looks like an option (--model ...), so this
    # sub-parser takes every token verbatim; only a bare -h/--help is its own.
    own_parse = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        args = list(args or [])
        if args in (["-h"], ["--help"]):
            return own_parse(args, namespace)
        ns, _ = own_parse([], namespace)
        ns.lm_eval_args = args
        return ns, []

    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


def build_argv(args: list[str]) -> tuple[list[str], bool]:
    """(lm-eval's argv with the sub-command made explicit, whether GPQA plaintext is allowed)."""
    args = list(args)
    allow = OPT_IN in args
    args = [a for a in args if a != OPT_IN]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        return ["--help"], allow
    if args[0] in ("run", "ls", "validate"):
        return args, allow
    if args in (["-h"], ["--help"]):
        return ["--help"], allow
    return ["run", *args], allow  # lm-eval's legacy form: no sub-command means 'run'


def _writes_rows(conf: dict) -> str | None:
    """The option under which lm-eval would write documents to disk, or None."""
    if conf.get("log_samples"):
        return "--log_samples"
    if conf.get("predict_only"):
        return "--predict_only"
    cache = conf.get("cache_requests")
    if isinstance(cache, dict):
        cache = cache.get("cache_requests")
    elif isinstance(cache, str):
        cache = cache.lower() in ("true", "refresh")
    return "--cache_requests" if cache else None


def _run_config(argv: list[str]) -> dict | None:
    """lm-eval's view of a ``run`` argv (command line over ``--config`` YAML, as lm-eval merges
    them), or None when lm-eval itself would reject the arguments (it then says why)."""
    from lm_eval._cli.harness import HarnessCLI
    from lm_eval.config.evaluate_config import EvaluatorConfig

    cli = HarnessCLI()
    try:
        ns = cli._parser.parse_args(argv)
    except SystemExit:
        return None
    conf: dict = {}
    if getattr(ns, "config", None):
        try:
            conf.update(EvaluatorConfig.load_yaml_config(ns.config))
        except Exception:  # noqa: BLE001 - lm-eval reports a bad config itself
            return None
    conf.update({k: v for k, v in vars(ns).items() if (v or v == 0) and k not in ("command", "func")})
    return conf


def private_tasks(specs, include_path=None) -> list[str]:
    """The task pack's private (GPQA) tasks that lm-eval task specs resolve to: names, tags,
    groups (also a user's own, under ``include_path``), glob patterns and YAML paths."""
    from pathlib import Path

    from lm_eval.tasks import TaskManager
    from lm_eval.tasks._index import Kind, TaskIndex

    from cec_eval.tasks import PRIVATE_TASKS

    if isinstance(specs, str):
        specs = [specs]
    names = [n.strip() for s in specs or [] for n in str(s).split(",") if n.strip()]
    # lm-eval's own tasks and groups cannot name the pack's tasks, so indexing the pack and the
    # user's folder is enough (and takes milliseconds, not lm-eval's ~15k files)
    from cec_eval.lm_eval_hook import with_pack

    index = TaskManager(include_path=with_pack(include_path), include_defaults=False).task_index
    found: set[str] = set()
    seen: set[str] = set()

    def expand(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        entry = index.get(name)
        if entry is None and Path(name).is_file():  # a YAML file given as a task
            entry = TaskIndex.entry_from_path(Path(name))
            if entry is not None:
                entry.cfg = _load(Path(name))
        elif entry is None and any(ch in name for ch in "*?["):
            for match in fnmatch.filter(index, name):
                expand(match)
            return
        if entry is None:
            return
        if entry.name in PRIVATE_TASKS and entry.kind in (Kind.TASK, Kind.PY_TASK):
            found.add(entry.name)
        if entry.kind is Kind.TAG:
            for member in entry.tags:
                expand(member)
        elif entry.kind is Kind.GROUP:
            for member in (entry.cfg or {}).get("task", []) or []:
                expand(member.get("task") if isinstance(member, dict) else member)

    for name in names:
        expand(name)
    return sorted(found)


def _load(path):
    from lm_eval.tasks._yaml_loader import load_yaml

    return load_yaml(path, resolve_func=False)


def check_gpqa_plaintext(argv: list[str], allow: bool) -> None:
    """Raise InputError when ``argv`` (a ``run``) would write GPQA rows in plain text and the
    user did not opt in."""
    from cec_eval.errors import InputError

    if allow or not argv or argv[0] != "run":
        return
    conf = _run_config(argv)
    if not conf:
        return
    flag = _writes_rows(conf)
    if flag is None:
        return
    private = private_tasks(conf.get("tasks"), conf.get("include_path"))
    if private:
        raise InputError(
            f"{flag} with {', '.join(private)} would write GPQA questions and answers to disk in plain text; "
            f"refused because {GPQA_WHY} (pass {OPT_IN} to write them anyway)"
        )


#: key under which ``run`` records the environment fingerprint in every task's metadata
ENV_KEY = "cec_eval_environment"


def with_environment(argv: list[str]) -> list[str]:
    """A ``run`` argv that also records :func:`cec_eval.fingerprint.environment_fingerprint` in the
    tasks' metadata (so in ``configs.<task>.metadata`` of lm-eval's results JSON; the task pack
    ignores metadata keys it does not know). Put first, so the user's own ``--metadata`` merges
    over it; a ``--config`` file's metadata is carried along, because lm-eval lets a command-line
    ``--metadata`` replace the file's."""
    import json

    if not argv or argv[0] != "run" or any(a in ("-h", "--help") for a in argv):
        return argv
    try:
        from cec_eval.fingerprint import environment_fingerprint
    except ImportError:
        return argv
    meta: dict = {}
    conf = _run_config(argv) or {}
    if conf.get("config"):
        from lm_eval.config.evaluate_config import EvaluatorConfig

        file_meta = EvaluatorConfig.load_yaml_config(conf["config"]).get("metadata")
        if isinstance(file_meta, dict):
            meta.update(file_meta)
    meta[ENV_KEY] = environment_fingerprint()
    return ["run", "--metadata", json.dumps(meta), *argv[1:]]


def run(args: argparse.Namespace) -> int:
    import sys

    from cec_eval import lm_eval_hook

    argv, allow = build_argv(args.lm_eval_args)
    lm_eval_hook.install()  # also where no .pth ran (python -S, a copied tree)
    check_gpqa_plaintext(argv, allow)
    argv = with_environment(argv)
    from lm_eval.__main__ import cli_evaluate

    old = sys.argv
    sys.argv = ["lm-eval", *argv]
    try:
        cli_evaluate()
    except SystemExit as e:  # argparse / lm-eval exit codes pass through
        return int(e.code or 0) if not isinstance(e.code, str) else 1
    finally:
        sys.argv = old
    return 0
