"""`ucc-webhooks` command line: a thin table from subcommand to the module that does the work.

Modules are imported only for the command that runs, so `ucc-webhooks host` (what the browser
starts for every connection) does not pay for the installer or the management commands. The demo
and the benchmarks are development tools of the checkout (`make demo`, `make bench`), not commands.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

__all__ = ["main"]

# subcommand -> (module, one-line help). Each module has `configure(parser)` and `run(args) -> int`.
COMMANDS: dict[str, tuple[str, str]] = {
    "host": ("ucc_webhooks.native.serve", "run the native-messaging host (the browser starts this)"),
    "install": ("ucc_webhooks.install.installer", "register the host with one or more browsers"),
    "uninstall": ("ucc_webhooks.install.installer", "remove the host registration"),
    "doctor": ("ucc_webhooks.install.doctor", "check every link from browser to host, with the fix for each failure"),
    "extension": ("ucc_webhooks.release.pack", "build an enterprise extension (CRX, update manifest, policies) or show its files"),
    "list": ("ucc_webhooks.cli.webhooks", "list webhooks"),
    "add": ("ucc_webhooks.cli.webhooks", "add a webhook"),
    "remove": ("ucc_webhooks.cli.webhooks", "remove a webhook"),
    "enable": ("ucc_webhooks.cli.webhooks", "switch a webhook on"),
    "disable": ("ucc_webhooks.cli.webhooks", "switch a webhook off"),
    "test": ("ucc_webhooks.cli.webhooks", "fire a webhook once with sample values"),
    "log": ("ucc_webhooks.cli.webhooks", "show recent deliveries"),
    "export": ("ucc_webhooks.cli.webhooks", "write webhooks as JSON"),
    "import": ("ucc_webhooks.cli.webhooks", "read webhooks from JSON (idempotent: the same file twice changes nothing)"),
    "settings": ("ucc_webhooks.cli.settings", "show or change the host's settings (proxy, region, timeouts)"),
    "completion": ("ucc_webhooks.cli.completion", "print a shell completion script (bash, zsh, tcsh)"),
    "presets": ("ucc_webhooks.cli.presets", "list ready webhooks for CRMs and chat tools (add one with add --preset)"),
}


def full_parser() -> argparse.ArgumentParser:
    """Every subcommand configured (for shell completion)."""
    return _parser(None, everything=True)


def _parser(selected: str | None, everything: bool = False) -> argparse.ArgumentParser:
    import argparse  # not for `host`, which the browser starts for every connection
    import importlib

    parser = argparse.ArgumentParser(prog="ucc-webhooks", description="Outgoing webhooks for UCC web phones.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == selected or (everything and name != "host"):
            module = importlib.import_module(module_name)
            module.configure(p, name)
            p.set_defaults(_run=module.run)
    return parser


def _version() -> str:
    from ucc_webhooks.constants import VERSION

    return VERSION


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    selected = next((a for a in argv if not a.startswith("-")), None)
    # A browser starts the host as `ucc-webhooks host chrome-extension://ID/` (Chromium) or
    # `... host /path/manifest.json ucc-webhooks@...` (Firefox); those extra words belong to it.
    if selected == "host":
        from ucc_webhooks.native import serve as host

        return host.main(argv[argv.index("host") + 1 :])
    if selected not in COMMANDS:
        selected = None
    args = _parser(selected).parse_args(argv)
    return int(args._run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
