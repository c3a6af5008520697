"""`ucc-webhooks completion bash|zsh|tcsh`: a shell completion script, generated from the parser.

shtab writes the script from the argparse tree once, so completion costs nothing at each key
press (no Python start, unlike argcomplete's hook). The full tree is built here, every
subcommand configured, which `main` otherwise avoids.

    ucc-webhooks completion bash > ~/.local/share/bash-completion/completions/ucc-webhooks
    ucc-webhooks completion zsh > "${fpath[1]}/_ucc-webhooks"
"""

from __future__ import annotations

import argparse

__all__ = ["configure", "run"]

SHELLS = ("bash", "zsh", "tcsh")


def configure(parser: argparse.ArgumentParser, command_name: str) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to write the completion script for")


def run(args: argparse.Namespace) -> int:
    import shtab

    from ucc_webhooks.cli.main import full_parser

    print(shtab.complete(full_parser(), shell=args.shell))
    return 0
