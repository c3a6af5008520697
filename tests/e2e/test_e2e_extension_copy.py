"""The browser tests load a copy of extension/ (ARCHITECTURE.md, "Testing the extension in real browsers"): only `host_permissions` in the
manifest may differ from the shipped extension; every other byte must be the same."""

from __future__ import annotations

import json
from pathlib import Path

from ucc_webhooks_dev.lab.browser import repo_extension_dir
from ucc_webhooks_dev.lab.browser import test_extension_copy as make_copy


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_test_copy_differs_only_in_host_permissions(tmp_path):
    shipped = repo_extension_dir()
    copy = make_copy(tmp_path / "ext", ["http://127.0.0.1/*"])
    original, copied = _files(shipped), _files(copy)
    assert original.keys() == copied.keys()
    assert [name for name in original if original[name] != copied[name]] == ["manifest.json"]
    before = json.loads(original["manifest.json"])
    after = json.loads(copied["manifest.json"])
    assert after.pop("host_permissions") == [*before.pop("host_permissions", []), "http://127.0.0.1/*"]
    assert after == before
