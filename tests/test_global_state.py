"""No library code of the project changes a third-party library's global state as a side effect
(issue #11): nltk's data path, environment variables, torch's thread count, logging or warnings
configuration. The only places allowed to touch them are the scoped context managers that restore
what they found (``cec_eval/runtime.py``, ``cec_eval/metrics/wordnet.py::_nltk_root``) and the two
documented import hooks. A source walk, so a new violation anywhere in the package fails here."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cec_eval", "tasks", "distill")
ALLOWED = {
    ("cec_eval/runtime.py", "torch_threads"),
    ("cec_eval/runtime.py", "scoped_env"),
    ("cec_eval/metrics/wordnet.py", "_nltk_root"),
}
# dotted call names that change global state
CALLS = {
    "torch.set_num_threads",
    "torch.set_num_interop_threads",
    "os.putenv",
    "os.environ.setdefault",
    "os.environ.update",
    "os.environ.pop",
    "nltk.data.path.append",
    "nltk.data.path.insert",
    "nltk.data.path.extend",
    "nltk.data.path.remove",
    "logging.basicConfig",
    "logging.disable",
    "warnings.simplefilter",
    "warnings.filterwarnings",
    "transformers.logging.set_verbosity_error",
    "transformers.logging.set_verbosity",
    "datasets.disable_progress_bar",
}
# warnings filters are fine inside `with warnings.catch_warnings():`, which restores them
SCOPED_BY_CATCH = {"warnings.simplefilter", "warnings.filterwarnings"}


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


class _Walker(ast.NodeVisitor):
    def __init__(self, rel: str) -> None:
        self.rel, self.func, self.catch_depth, self.found = rel, "<module>", 0, []

    def _in_function(self, node):
        outer, self.func = self.func, node.name
        self.generic_visit(node)
        self.func = outer

    visit_FunctionDef = visit_AsyncFunctionDef = _in_function

    def visit_With(self, node: ast.With) -> None:
        catches = any(_dotted(i.context_expr.func if isinstance(i.context_expr, ast.Call) else i.context_expr)
                      == "warnings.catch_warnings" for i in node.items)
        self.catch_depth += catches
        self.generic_visit(node)
        self.catch_depth -= catches

    def _report(self, node: ast.AST, what: str) -> None:
        if (self.rel, self.func) not in ALLOWED:
            self.found.append(f"{self.rel}:{node.lineno} in {self.func}(): {what}")

    def visit_Call(self, node: ast.Call) -> None:
        name = _dotted(node.func)
        if name in CALLS and not (name in SCOPED_BY_CATCH and self.catch_depth):
            self._report(node, name)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and _dotted(target.value) == "os.environ":
                self._report(node, "os.environ[...] = ...")
            if _dotted(target) in ("nltk.data.path", "os.environ"):
                self._report(node, f"{_dotted(target)} = ...")
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and _dotted(target.value) == "os.environ":
                self._report(node, "del os.environ[...]")
        self.generic_visit(node)


def test_no_library_code_changes_global_state():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            walker = _Walker(rel)
            walker.visit(ast.parse(path.read_text(encoding="utf-8"), filename=rel))
            found += walker.found
    assert not found, "global state changed outside a scoped context manager:\n" + "\n".join(found)


def test_the_walker_sees_each_kind(tmp_path):
    code = (
        "import os, torch, nltk, warnings\n"
        "os.environ['X'] = '1'\n"
        "def f():\n    torch.set_num_threads(2)\n    nltk.data.path.append('/x')\n"
        "    warnings.simplefilter('ignore')\n"
        "    with warnings.catch_warnings():\n        warnings.simplefilter('ignore')\n"
    )
    walker = _Walker("x.py")
    walker.visit(ast.parse(code))
    assert [f.split(": ", 1)[1] for f in walker.found] == [
        "os.environ[...] = ...", "torch.set_num_threads", "nltk.data.path.append", "warnings.simplefilter"]
