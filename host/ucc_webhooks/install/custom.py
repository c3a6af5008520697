"""`install --manifest-dir DIR --family chromium|firefox`: a manifest for a browser not in the table.

For a Chromium or Firefox fork that reads manifests from a folder of its own (a portable build, a
new fork): the launcher and the ids file are written as for a per-user install, the manifest into
DIR. `uninstall --manifest-dir DIR` removes that manifest only (the launcher stays while other
manifests use it; a plain `uninstall` removes it). Windows browsers find manifests through the
registry only, so there the manifest is written and the registry key is left to the administrator.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ucc_webhooks.constants import HOST_NAME
from ucc_webhooks.install.files import write_atomic, write_launcher
from ucc_webhooks.install.manifest import check_manifest, render_manifest
from ucc_webhooks.install.report import Report

__all__ = ["run_manifest_dir"]


def run_manifest_dir(args: argparse.Namespace, platform: str, callers: dict[str, list[str]], out: Report) -> int:
    folder = Path(args.manifest_dir).expanduser().absolute()
    path = folder / f"{HOST_NAME}.json"
    if args.command == "uninstall":
        if path.is_file():
            path.unlink()
            out.line("manifest", "removed", path)
        else:
            out.line("manifest", "absent", path)
        return 0
    if not getattr(args, "family", None):
        out.fail("error: --manifest-dir needs --family chromium|firefox (which template the browser reads)")
        return 2
    scope = "system" if args.system else "user"
    try:
        launcher = write_launcher(scope, platform, callers, out)
        write_atomic(path, render_manifest(args.family, launcher, callers), 0o644)
    except PermissionError as e:
        out.fail(f"error: {e.strerror}: {e.filename}")
        return 1
    checks, _ = check_manifest(path, args.family, platform, callers)
    bad = [c for c in checks if not c.ok]
    if bad:
        out.line(args.family, "FAILED", path, "; ".join(c.detail for c in bad))
        return 1
    out.line(args.family, "written", path, f"checked: valid JSON, launcher executable, {checks[-1].detail}")
    if platform == "win32":
        out.note("Windows browsers read manifests only through the registry: point the browser's "
                 f"NativeMessagingHosts\\{HOST_NAME} key at {path}.")
    out.done("Done. Restart the browser, then check with `ucc-webhooks doctor`.")
    return 0
