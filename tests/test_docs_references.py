"""Every document a comment or a doc names exists in the repository, so nothing in the project
points outside it (a design file that lived elsewhere once did)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_MD = re.compile(r"(?<![\w/.-])([\w./-]*[A-Za-z0-9_-]+\.md)\b")


def _tracked() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [REPO / f for f in out.split() if f.endswith((".py", ".js", ".html", ".md", ".json", ".toml", "Makefile"))
            and not f.startswith(("node_modules/", "package-lock"))]


def test_every_named_markdown_file_exists():
    names = {p.name for p in REPO.rglob("*.md") if ".venv" not in p.parts and "node_modules" not in p.parts}
    missing = []
    for path in _tracked():
        if not path.is_file():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for ref in _MD.findall(line):
                if ref.startswith(("http", "//")) or ("://" in line and ref in line.split("://", 1)[1]):
                    continue
                target = (path.parent / ref) if "/" in ref else None
                if not (ref.split("/")[-1] in names and (target is None or target.exists() or (REPO / ref).exists())):
                    missing.append(f"{path.relative_to(REPO)}:{n}: {ref}")
    assert not missing, "references to documents that are not in the repository:\n" + "\n".join(missing)
