"""The layout ARCHITECTURE.md describes is the layout of the code: every module of the runtime and
of the extension is named there, the host package has no import circle, and imports run one way
(each folder imports only the layers below it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "host" / "ucc_webhooks"
EXTENSION = ROOT / "extension"
DOC = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")

#: folder (or top-level module) -> what it may import besides itself; the shared modules
#: constants and paths may be imported by every layer.
ALLOWED = {
    "cli": {"service", "storage", "engine", "native.serve", "install", "release"},  # main.py's table starts them
    "native": {"service", "engine"},
    "service": {"delivery", "storage", "engine"},
    "delivery": {"storage", "engine"},
    "storage": {"engine"},
    "engine": set(),
    "install": {"engine", "native.callers", "cli"},  # the ids file's format; the Windows launcher names cli.main
    "release": set(),
}
SHARED = {"constants", "paths"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module of ours this file imports, at any depth (inside functions and TYPE_CHECKING too);
    `from package import module` counts as the module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = [n for n in subs if n.removeprefix("ucc_webhooks.") in modules] or [node.module]
        found.update(n.removeprefix("ucc_webhooks.") for n in names if n.startswith("ucc_webhooks."))
    return {i for i in found if i in modules}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_every_runtime_module_is_named_in_the_architecture():
    missing = [str(p.relative_to(PACKAGE)) for name, p in _modules().items()
               if p.name not in ("__init__.py", "__main__.py") and str(p.relative_to(PACKAGE)) not in DOC]
    assert not missing, f"ARCHITECTURE.md names no {missing}"


def test_every_extension_file_is_named_in_the_architecture():
    files = [p for p in sorted(EXTENSION.rglob("*")) if p.suffix in (".js", ".html") and "_locales" not in p.parts]
    missing = [str(p.relative_to(EXTENSION)) for p in files
               if not re.search(r"(?<![\w/])(extension/)?" + re.escape(str(p.relative_to(EXTENSION))) + r"\b", DOC)]
    assert not missing, f"ARCHITECTURE.md names no {missing}"


def test_the_host_package_has_no_import_circle():
    graph = _graph()
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append([*trail[trail.index(nxt):], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_run_one_way(layer):
    wrong = []
    for name, targets in _graph().items():
        if name.split(".")[0] != layer:
            continue
        for target in targets:
            top = target.split(".")[0]
            if top == layer or top in SHARED or top == "":
                continue
            if not any(target == a or target.startswith(a + ".") or top == a for a in ALLOWED[layer]):
                wrong.append(f"{name} imports {target}")
    assert not wrong, wrong


def test_the_check_finds_a_circle(tmp_path, monkeypatch):
    """The circle test can fail: two modules that import each other are found."""
    pkg = tmp_path / "ucc_webhooks" / "engine"
    pkg.mkdir(parents=True)
    (pkg / "a.py").write_text("from ucc_webhooks.engine.b import x\n")
    (pkg / "b.py").write_text("def f():\n    from ucc_webhooks.engine.a import y\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "ucc_webhooks")
    with pytest.raises(AssertionError, match="import circles"):
        test_the_host_package_has_no_import_circle()
