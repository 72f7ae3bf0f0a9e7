"""Build glue that setup.cfg cannot express.

* ``tasks/`` and ``distill/`` live at the repository top level (the design card's layout) but
  install as ``cec_eval.tasks`` and ``cec_eval.distill``.
* ``cec_eval_hooks.pth`` is written into site-packages, for a wheel *and* an editable install
  (``pip install -e .``), so that in every interpreter ``evaluate.load("cec")`` resolves to the
  bundled module offline (cec_eval/evaluate_hook.py) and lm-eval finds the task pack with no
  ``--include_path`` (cec_eval/lm_eval_hook.py). Both hooks only register post-import hooks:
  nothing heavy is imported at start-up, and a failure there never breaks the interpreter.
"""
import os

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

PTH = "cec_eval_hooks.pth"
# site.py executes .pth lines that start with "import"; the try keeps a broken install from
# printing a traceback at every interpreter start.
PTH_LINE = (
    'import sys; exec("try:\\n from cec_eval import evaluate_hook, lm_eval_hook\\n'
    ' evaluate_hook.install()\\n lm_eval_hook.install()\\nexcept Exception:\\n pass")\n'
)


def _mapped(prefix: str, folder: str) -> list[str]:
    # namespace discovery: data-only folders (tasks/gpqa_causal, distill/data) are packages too
    return [prefix] + [f"{prefix}.{p}" for p in find_namespace_packages(folder, exclude=["*__pycache__*"])]


class BuildPyWithPth(build_py):
    """build_py that also writes :data:`PTH` at the root of what becomes site-packages.

    A wheel's root is ``build_lib``. An editable wheel (PEP 660) packs only setuptools' own finder
    from the build; its non-editable files go to ``install.install_lib``, which editable_wheel
    points at the root of the wheel it is assembling, so the .pth is written there."""

    def run(self):
        super().run()
        target = self.get_finalized_command("install").install_lib if self.editable_mode else self.build_lib
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, PTH), "w", encoding="utf-8") as fh:
            fh.write(PTH_LINE)

    def get_outputs(self, include_bytecode=1):  # lets `install --record` list the .pth too
        extra = [] if self.editable_mode else [os.path.join(self.build_lib, PTH)]
        return super().get_outputs(include_bytecode) + extra


setup(
    packages=find_namespace_packages(include=["cec_eval", "cec_eval.*"], exclude=["*__pycache__*"])
    + _mapped("cec_eval.tasks", "tasks")
    + _mapped("cec_eval.distill", "distill"),
    cmdclass={"build_py": BuildPyWithPth},
)
