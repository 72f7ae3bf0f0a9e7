"""Build glue that setup.cfg cannot express.

* ``tasks/`` and ``distill/`` live at the repository top level (the design card's layout) but
  install as ``cec_eval.tasks`` and ``cec_eval.distill``.
* ``cec_eval_evaluate_hook.pth`` is copied next to the packages so that, in every interpreter,
  ``evaluate.load("cec")`` resolves to the bundled module offline (see cec_eval/evaluate_hook.py).
"""
import os

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

PTH = "cec_eval_evaluate_hook.pth"


def _mapped(prefix: str, folder: str) -> list[str]:
    # namespace discovery: data-only folders (tasks/gpqa_causal, distill/data) are packages too
    return [prefix] + [f"{prefix}.{p}" for p in find_namespace_packages(folder, exclude=["*__pycache__*"])]


class BuildPyWithPth(build_py):
    def run(self):
        super().run()
        self.copy_file(PTH, os.path.join(self.build_lib, PTH), preserve_mode=0)

    def get_outputs(self, include_bytecode=1):  # lets editable/wheel builds list the .pth too
        return super().get_outputs(include_bytecode) + [os.path.join(self.build_lib, PTH)]


setup(
    packages=find_namespace_packages(include=["cec_eval", "cec_eval.*"], exclude=["*__pycache__*"])
    + _mapped("cec_eval.tasks", "tasks")
    + _mapped("cec_eval.distill", "distill"),
    cmdclass={"build_py": BuildPyWithPth},
)
