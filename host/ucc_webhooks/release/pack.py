"""`ucc-webhooks extension pack|path`: an enterprise build of the extension, and where its files are.

    ucc-webhooks extension pack --key KEY.pem --ucc-origin URL [--ucc-origin URL]...
                                --update-url URL --out DIR [--queue-header H] [--queue-pattern RE]
                                [--webhooks-disabled] [--caller-card] [--crx-url URL] [--xpi-url URL] [--chromium PATH] [--json]

writes into DIR: `ucc-webhooks.crx` (CRX3, signed with KEY.pem by Chromium's own packer; the key
is made there, mode 0600, when the file does not exist: keep it, every later version must be signed
with it or the id changes, and never commit it), `updates.xml` (serve it at --update-url, the CRX at
--crx-url, by default beside it), `ucc-webhooks.xpi` (the same build for Firefox, unsigned: see the
README on signing), and `policies/` with the force-install policy and the managed settings for
Chrome, Chromium and Edge (Linux JSON, Windows .reg) and Firefox (policies.json). The build has the
`notifications` permission from the start (the caller card shows without a prompt); `--caller-card`
switches the card on for everyone in the managed settings. It ends with the
`ucc-webhooks install --extension-id` line for the desktops.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ucc_webhooks.constants import FIREFOX_EXTENSION_ID
from ucc_webhooks.release.bundle import extension_source, origin_pattern, stage_extension, zip_folder
from ucc_webhooks.release.crx import crx_id, find_chromium, pack_crx
from ucc_webhooks.release.policies import (
    LINUX_POLICY_DIRS,
    chromium_policy,
    firefox_policy,
    managed_settings,
    update_manifest,
    windows_reg,
)

__all__ = ["configure", "run"]

CRX_NAME = "ucc-webhooks.crx"
XPI_NAME = "ucc-webhooks.xpi"


def configure(parser: argparse.ArgumentParser, command_name: str) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    path = sub.add_parser("path", help="print the folder of the extension's files (for Load unpacked)")
    path.add_argument("--json", action="store_true", help="print a JSON object")
    p = sub.add_parser("pack", help="build a signed CRX with the UCC origins granted, its update manifest and policies")
    p.add_argument("--key", type=Path, required=True, metavar="KEY.pem", help="signing key (made when absent; keep it, never commit it)")
    p.add_argument("--ucc-origin", action="append", required=True, metavar="URL", dest="ucc_origins",
                   help="address of the UCC web client, e.g. https://ucc.example.com (repeatable)")
    p.add_argument("--update-url", required=True, metavar="URL", help="where updates.xml will be served (http or https)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the CRX, updates.xml and the policies")
    p.add_argument("--crx-url", metavar="URL", help=f"where the CRX will be served (default: {CRX_NAME} beside updates.xml)")
    p.add_argument("--xpi-url", metavar="URL", help=f"where the Firefox package will be served (default: {XPI_NAME} beside updates.xml)")
    p.add_argument("--queue-header", metavar="NAME", help="managed queueRule.header: SIP header naming the queue")
    p.add_argument("--queue-pattern", metavar="REGEX", help="managed queueRule.displayNamePattern")
    p.add_argument("--webhooks-disabled", action="store_true", help="managed WEBHOOKS_ENABLED = false (default true)")
    p.add_argument("--caller-card", action="store_true",
                   help="managed callerCard = true: the caller card (a desktop notification with the caller's contact) for everyone")
    p.add_argument("--chromium", metavar="PATH", help="Chromium, Chrome or Edge binary that signs (default: the first on PATH)")
    p.add_argument("--json", action="store_true", help="print what was written as one JSON object")


def run(args: argparse.Namespace) -> int:
    if args.action == "path":
        folder = extension_source()
        print(json.dumps({"extension": str(folder)}) if args.json else folder)
        return 0
    try:
        origins = [origin_pattern(o) for o in args.ucc_origins]
        for name in ("update_url", "crx_url", "xpi_url"):
            url = getattr(args, name)
            if url and urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"--{name.replace('_', '-')} {url!r} must be an http or https URL")
        chromium = find_chromium(args.chromium)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = args.out.expanduser().absolute()
    crx_url = args.crx_url or urljoin(args.update_url, CRX_NAME)
    xpi_url = args.xpi_url or urljoin(args.update_url, XPI_NAME)
    made_key = not args.key.exists()
    with tempfile.TemporaryDirectory(prefix="ucc-webhooks-build-") as tmp:
        staged = Path(tmp) / "extension"
        manifest = stage_extension(staged, origins, extension_source(), grant=("notifications",))
        try:
            pack_crx(staged, args.key, out / CRX_NAME, chromium)
        except (RuntimeError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        zip_folder(staged, out / XPI_NAME)
    extension_id = crx_id(out / CRX_NAME)
    version = manifest["version"]
    settings = managed_settings(origins, args.queue_header, args.queue_pattern, not args.webhooks_disabled, args.caller_card)
    written = {"crx": out / CRX_NAME, "xpi": out / XPI_NAME, "update_manifest": out / "updates.xml"}
    written["update_manifest"].write_text(update_manifest(extension_id, crx_url, version), encoding="utf-8")
    policies = out / "policies"
    policies.mkdir(parents=True, exist_ok=True)
    chromium_json = json.dumps(chromium_policy(extension_id, args.update_url, settings), indent=2) + "\n"
    for browser in LINUX_POLICY_DIRS:
        written[f"{browser}_linux"] = policies / f"{browser}-linux.json"
        written[f"{browser}_linux"].write_text(chromium_json, encoding="utf-8")
    for browser in ("chrome", "edge"):
        written[f"{browser}_windows"] = policies / f"{browser}-windows.reg"
        written[f"{browser}_windows"].write_text(windows_reg(browser, extension_id, args.update_url, settings), encoding="utf-8")
    written["firefox"] = policies / "firefox-policies.json"
    written["firefox"].write_text(json.dumps(firefox_policy(FIREFOX_EXTENSION_ID, xpi_url, settings), indent=2) + "\n",
                                  encoding="utf-8")
    install_line = f"ucc-webhooks install --extension-id {extension_id} --extension-id {FIREFOX_EXTENSION_ID}"
    if args.json:
        print(json.dumps({"extension_id": extension_id, "firefox_id": FIREFOX_EXTENSION_ID, "version": version,
                          "ucc_origins": origins, "key": str(args.key), "key_created": made_key,
                          "update_url": args.update_url, "crx_url": crx_url, "xpi_url": xpi_url,
                          "files": {k: str(v) for k, v in written.items()}, "install_command": install_line}, indent=2))
        return 0
    if made_key:
        print(f"key      created   {args.key}  (mode 0600: keep it safe, sign every later version with it, never commit it)")
    print(f"id       {extension_id}  (version {version}, host_permissions {', '.join(origins)})")
    for what, path in written.items():
        print(f"{what:<16} {path}")
    print(f"\nServe {out / 'updates.xml'} at {args.update_url} and {CRX_NAME} at {crx_url}; roll out a policy from "
          f"{policies} (on Linux into {LINUX_POLICY_DIRS['chrome']}/ and friends). On every desktop, after "
          "`pipx install ucc-webhooks`:\n")
    print(f"    {install_line}")
    return 0
