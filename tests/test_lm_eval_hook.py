"""The task pack is visible to lm-eval with no flag once the package is installed (wheel or
editable): a bare ``TaskManager()``, ``lm-eval ls tasks``, ``simple_evaluate(tasks=[...])`` and
``lm_eval --tasks`` from an empty folder, in fresh interpreters that never import cec_eval
themselves. A user's own ``--include_path`` wins on a name clash; nothing else in lm-eval moves."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

from cec_eval.tasks import TASKS, include_path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OFFLINE = {k: "1" for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE")}


def _env(**extra) -> dict:
    env = {**os.environ, **OFFLINE, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", **extra}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)  # the installed package only, never the checkout
    return env


def _python(code: str, cwd, python=sys.executable, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-c", textwrap.dedent(code)], cwd=cwd, env=_env(**env),
                          capture_output=True, text=True, timeout=600)


def _pth_line() -> str:
    """setup.PTH_LINE, read without running setup()."""
    import ast

    tree = ast.parse((ROOT / "setup.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PTH_LINE")
    return ast.literal_eval(node.value)


# -- what the installers put in site-packages --------------------------------------------------------


def test_this_install_has_the_start_up_hooks():
    """The environment running the tests (an editable install here, a wheel under `make install`)
    has the .pth setup.py writes, byte for byte."""
    pth = Path(sysconfig.get_paths()["purelib"]) / "cec_eval_hooks.pth"
    assert pth.is_file(), f"{pth} missing: reinstall the package (pip install -e . or make install)"
    assert pth.read_text() == _pth_line()


def test_editable_wheel_ships_the_pth(tmp_path):
    """PEP 660 editable wheels pack only setuptools' finder from the build; the .pth must be there too."""
    proc = subprocess.run(
        [sys.executable, "-c", f"from setuptools import build_meta; print(build_meta.build_editable({str(tmp_path)!r}))"],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = tmp_path / proc.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as z:
        assert z.read("cec_eval_hooks.pth").decode() == _pth_line()
        record = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))).decode()
    assert "cec_eval_hooks.pth," in record


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_venv(tmp_path):
    """Build the wheel, install it with pip into a new venv that borrows only the third-party
    packages of this one, and use lm-eval there from an empty folder."""
    wheels = tmp_path / "wheels"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)],
                          env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(wheels.glob("cec_eval-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        assert z.read("cec_eval_hooks.pth").decode() == _pth_line()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    vpy = venv / "bin" / "python"
    site = Path(_python("import sysconfig; print(sysconfig.get_paths()['purelib'])", tmp_path, vpy).stdout.strip())
    # third-party packages from this venv, after the new venv's own site-packages; a path line in a
    # .pth adds a folder but does not run the .pth files inside it, so this env's editable finder
    # and hooks stay out
    (site / "zz_borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # --ignore-installed: under `make install` the borrowed folder already holds cec-eval (a wheel
    # install), which pip would otherwise take as satisfied and skip
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(vpy), "install", "--no-deps", "--no-index", "--ignore-installed", "-q", str(wheel)],
                          env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = _python(
        """
        import json, sys
        from lm_eval.tasks import TaskManager
        import cec_eval
        tm = TaskManager()
        print(json.dumps({"file": cec_eval.__file__, "tasks": tm.all_tasks}))
        """,
        empty, vpy,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["file"].startswith(str(site)), out["file"]  # the wheel's copy, not the checkout
    assert set(TASKS) | {"cec_eval"} <= set(out["tasks"])


# -- behaviour in a fresh interpreter ------------------------------------------------------------------


def test_task_manager_finds_the_pack_and_the_user_wins(tmp_path):
    """Fresh interpreter, empty folder, indexing only. lm-eval's own folder is swapped for a small
    stand-in (its ~15k names take seconds to index; the slow tests use the real one)."""
    defaults = tmp_path / "defaults"
    defaults.mkdir()
    (defaults / "d.yaml").write_text("task: default_task\ndataset_path: json\noutput_type: generate_until\n")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "climate_fever_cec.yaml").write_text("task: climate_fever_cec\ndataset_path: json\noutput_type: generate_until\n")
    (mine / "other.yaml").write_text("task: my_other_task\ndataset_path: json\noutput_type: generate_until\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = _python(
        f"""
        import json, logging, sys
        import lm_eval.tasks.manager as manager
        records = []
        logging.getLogger("lm_eval.tasks._index").addHandler(type("H", (logging.Handler,), {{"emit": lambda self, r: records.append(r.getMessage())}})())
        manager.__file__ = {str(defaults / "manager.py")!r}  # TaskManager indexes Path(__file__).parent
        TM = manager.TaskManager
        def index(**kw):
            tm = TM(**kw)
            return {{name: str(e.yaml_path) for name, e in tm.task_index.items()}}, tm.include_path
        user, user_attr = index(include_path={str(mine)!r})
        pack_twice, _ = index(include_path=[{include_path()!r}])
        only_user, _ = index(include_path={str(mine)!r}, include_defaults=False)
        bare, bare_attr = index()
        print(json.dumps({{"bare": bare, "bare_attr": bare_attr, "user": user, "user_attr": user_attr, "pack_twice": pack_twice,
                          "only_user": only_user, "sys_modules_cec": "cec_eval.tasks.metrics" in sys.modules,
                          "overrides": [m for m in records if "overrides" in m]}}))
        """,
        empty,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    # a bare TaskManager(): lm-eval's tasks, then the pack's five tasks and its tag
    assert set(out["bare"]) == {"default_task", "cec_eval", *TASKS} and out["bare_attr"] is None
    assert out["bare"]["default_task"] == str(defaults / "d.yaml")
    # the user's folder wins on the clash, the pack supplies the rest, the attribute is untouched
    assert out["user"]["climate_fever_cec"] == str(mine / "climate_fever_cec.yaml")
    assert out["user"]["gsm8k_causal"].startswith(include_path())
    assert out["user"]["my_other_task"] == str(mine / "other.yaml")
    assert out["user_attr"] == str(mine)
    assert any("climate_fever_cec" in m and str(mine) in m for m in out["overrides"])
    # passing the pack explicitly (the old documented way) indexes it once: no override warnings for it
    assert out["pack_twice"]["gpqa_causal_main"].startswith(include_path())
    assert not any(include_path() in m.split(" from ")[1] for m in out["overrides"] if "gsm8k_causal" in m)
    # include_defaults=False: exactly the caller's paths
    assert set(out["only_user"]) == {"climate_fever_cec", "my_other_task"}
    assert out["sys_modules_cec"] is False  # the hook imports nothing of the pack's code


@pytest.mark.slow
def test_lm_eval_cli_lists_and_simple_evaluate_runs_the_pack(tmp_path):
    """`lm-eval ls tasks` and `simple_evaluate(tasks=[...])` (no task_manager) from an empty
    folder, against a local chat-completions server (no model download, exact text)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from chat_server import ChatServer

    proc = subprocess.run([str(BIN / "lm-eval"), "ls", "tasks"], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in TASKS:
        assert name in proc.stdout
    with ChatServer(responder=lambda body: "Rising CO2 traps heat. The trapped heat melts ice.", model="served") as srv:
        proc = _python(
            f"""
            import json
            from lm_eval import simple_evaluate
            out = simple_evaluate(model="local-chat-completions", tasks=["climate_fever_cec"], limit=2,
                                  model_args="model=served,base_url={srv.base_url}/chat/completions,tokenizer_backend=None",
                                  apply_chat_template=True, bootstrap_iters=0)
            print(json.dumps(out["results"]["climate_fever_cec"], default=str))
            """,
            tmp_path,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert 0.0 < res["cec_sym,explanation"] <= 1.0
    assert res["cec_signature,explanation"].endswith("|refs:climate-fever-evidence")


def test_stderr_hook_changes_nothing_for_lm_evals_own_metrics(tmp_path):
    """Fresh interpreter: lm-eval's own aggregations get lm-eval's answer; the pack's get its
    bootstrap, with lm-eval's bootstrap_iters (0: none); evaluator_utils sees the same function."""
    proc = _python(
        """
        import json
        import lm_eval.evaluator_utils as eu
        from lm_eval.api import metrics as m
        from cec_eval.tasks import metrics as pack
        f = m.stderr_for_metric
        out = {
            "same_in_evaluator_utils": eu.stderr_for_metric is f,
            "mean": f(m.mean, 1000) is m.mean_stderr,
            "mean_off": f(m.mean, 0) is None,
            "unknown": f(max, 1000) is None,
            "median_bootstraps": round(f(m.median, 200)([1.0, 2.0, 3.0, 4.0, 10.0]), 6) > 0,
            "pack": f(pack.agg_rougeL, 1000).keywords,
            "pack_off": f(pack.agg_rougeL, 0) is None,
            "signature": f(pack.agg_cec_signature, 1000) is None,
        }
        print(json.dumps(out))
        """,
        tmp_path,
        DISABLE_MULTIPROC="1",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out == {"same_in_evaluator_utils": True, "mean": True, "mean_off": True, "unknown": True, "median_bootstraps": True,
                   "pack": {"iters": 1000}, "pack_off": True, "signature": True}


def test_budget_forcing_model_is_registered_by_name_only(tmp_path):
    """`lm_eval --model hf-budget` resolves with no flag; the model's module (and its torch work)
    is imported only when the model is asked for."""
    proc = _python("""
        import sys
        import lm_eval.models
        from lm_eval.api.registry import model_registry
        assert "hf-budget" in model_registry and "hf" in model_registry
        assert "cec_eval.tasks.budget_forcing" not in sys.modules
        cls = model_registry.get("hf-budget")
        print(cls.__module__, cls.__name__)
        """, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["cec_eval.tasks.budget_forcing", "BudgetForcingLM"]
