"""The extension's files as shipped: found in the wheel or the checkout, staged for a build, zipped.

`stage_extension` copies the extension into a build folder and adapts its manifest there, never in
place: it drops `key` (a store assigns the id; a CRX's id comes from the key it is signed with,
and a `key` that disagrees would be refused), and for an enterprise build lists the UCC origins in
`host_permissions` (granted at install, so nobody clicks "Allow access") and bakes them into
`bg/defaults.js` as default `uccOrigins`. `grant` moves optional permissions into `permissions`:
the enterprise build grants `notifications` (the caller card) at install, where the store build
keeps it optional, asked for when the user first switches the card on (a new permission with a
warning would otherwise disable the extension for every user who updates).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["extension_source", "origin_pattern", "stage_extension", "zip_folder"]

_PACKAGE = Path(__file__).resolve().parents[1]


def extension_source() -> Path:
    """`_bundled/extension` inside an installed wheel, else the checkout's `extension/`."""
    for folder in (_PACKAGE / "_bundled" / "extension", _PACKAGE.parents[1] / "extension"):
        if (folder / "manifest.json").is_file():
            return folder
    raise FileNotFoundError("the extension's files are neither in this installation nor in a checkout")


def origin_pattern(text: str) -> str:
    """`https://ucc.example.com[:port][/path]` or a match pattern -> `https://ucc.example.com/*`.
    The port is dropped as the extension drops it (Chromium then matches every port, Firefox would
    ignore a pattern naming one). Raises ValueError for anything but an http(s) address."""
    raw = text.strip()
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or any(c in host for c in " /\\@"):
        raise ValueError(f"{text!r} is no UCC address: give one like https://ucc.example.com")
    if parts.username or parts.password:
        raise ValueError(f"{text!r} carries credentials; give the address only")
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}/*"


def stage_extension(target: Path, ucc_origins: Iterable[str] = (), source: Path | None = None,
                    grant: Iterable[str] = ()) -> dict:
    """Copy the extension to `target` (replaced) with its manifest adapted; returns that manifest.
    `grant`: optional permissions this build has from the start (listed under `permissions`)."""
    source = source or extension_source()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("README.md", "*.pem", ".*"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("key", None)
    granted = [p for p in grant if p in manifest.get("optional_permissions", [])]
    if granted:
        manifest["permissions"] = list(dict.fromkeys([*manifest.get("permissions", []), *granted]))
        manifest["optional_permissions"] = [p for p in manifest["optional_permissions"] if p not in granted]
        if not manifest["optional_permissions"]:
            del manifest["optional_permissions"]
    origins = list(dict.fromkeys(ucc_origins))
    if origins:
        manifest["host_permissions"] = origins
        defaults = (
            "// Baked in by `ucc-webhooks extension pack`: this build's UCC origins (also its host_permissions).\n"
            f"export const DEFAULTS = Object.freeze({{ uccOrigins: Object.freeze({json.dumps(origins)}) }});\n"
        )
        (target / "bg" / "defaults.js").write_text(defaults, encoding="utf-8")
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def zip_folder(folder: Path, out: Path) -> Path:
    """A zip with the manifest at its root, entries sorted and dated alike (same input, same bytes)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, path.read_bytes())
    return out
