"""Bundle JsSIP from node_modules into one browser script that defines `window.JsSIP`.

The npm package `jssip` ships CommonJS sources only (no `dist/`), so the lab packs the require
graph itself: each file becomes a function in a module table, `require` resolves from it. Only
static `require('literal')` calls are followed; package.json `browser` (string form) wins over
`main`, as browser bundlers do. Where node_modules lives: env `UCC_WEBHOOKS_NODE_MODULES`, else the
repository's own `node_modules/`.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["jssip_bundle", "node_modules_dir"]

_REQUIRE = re.compile(r"""\brequire\(\s*(['"])([^'"]+)\1\s*\)""")


def node_modules_dir() -> Path:
    """The node_modules folder holding jssip; raise with the fix when it is missing."""
    env = os.environ.get("UCC_WEBHOOKS_NODE_MODULES")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [parent / "node_modules" for parent in here.parents]
    for c in candidates:
        if (c / "jssip" / "package.json").is_file():
            return c
    raise FileNotFoundError(
        "npm package jssip not found: run `npm install` in the repository (or set UCC_WEBHOOKS_NODE_MODULES)"
    )


def _resolve_file(path: Path) -> Path | None:
    for c in (path, path.with_name(path.name + ".js"), path.with_name(path.name + ".json"), path / "index.js"):
        if c.is_file():
            return c
    return None


def _package_entry(pkg_dir: Path) -> Path:
    meta = json.loads((pkg_dir / "package.json").read_text())
    entry = meta.get("browser") if isinstance(meta.get("browser"), str) else None
    entry = entry or meta.get("main") or "index.js"
    found = _resolve_file(pkg_dir / entry)
    if found is None:
        raise FileNotFoundError(f"entry {entry} of {pkg_dir} not found")
    return found


def _resolve(spec: str, from_file: Path, modules: Path) -> Path:
    if spec.startswith("."):
        found = _resolve_file((from_file.parent / spec).resolve())
    else:
        name_parts = spec.split("/")
        n = 2 if spec.startswith("@") else 1
        pkg_dir = modules / "/".join(name_parts[:n])
        rest = "/".join(name_parts[n:])
        found = _resolve_file(pkg_dir / rest) if rest else _package_entry(pkg_dir)
    if found is None:
        raise FileNotFoundError(f"cannot resolve require('{spec}') from {from_file}")
    return found


@lru_cache(maxsize=1)
def jssip_bundle() -> str:
    """The JavaScript text of the bundle (computed once per process)."""
    modules = node_modules_dir()
    entry = _package_entry(modules / "jssip")
    ids: dict[Path, int] = {}
    order: list[Path] = []
    maps: dict[Path, dict[str, int]] = {}
    pending = [entry]
    ids[entry] = 0
    order.append(entry)
    while pending:
        current = pending.pop()
        source = current.read_text(encoding="utf-8")
        mapping: dict[str, int] = {}
        for match in _REQUIRE.finditer(source):
            spec = match.group(2)
            target = _resolve(spec, current, modules)
            if target not in ids:
                ids[target] = len(order)
                order.append(target)
                pending.append(target)
            mapping[spec] = ids[target]
        maps[current] = mapping
    parts = ["(function () {", "var defs = [];"]
    for path in order:
        body = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            body = "module.exports = " + body + ";"
        parts.append(f"// {path.relative_to(modules)}")
        parts.append(f"defs.push([function (require, module, exports) {{\n{body}\n}}, {json.dumps(maps[path])}]);")
    parts.append("""var cache = {};
function load(id) {
  if (cache[id]) { return cache[id].exports; }
  var module = cache[id] = { exports: {} };
  var def = defs[id];
  def[0].call(module.exports, function (spec) {
    if (!(spec in def[1])) { throw new Error('jssip bundle: unknown module ' + spec); }
    return load(def[1][spec]);
  }, module, module.exports);
  return module.exports;
}
window.JsSIP = load(0);
})();""")
    return "\n".join(parts)
