"""`ucc-webhooks`: `main` is the table of subcommands; `webhooks` the commands that manage webhooks."""

from ucc_webhooks.cli.main import main

__all__ = ["main"]
