"""What every store command of the CLI shares: its usage error (exit 2), running a command on the
host's store, and a webhook checked exactly as the popup's save checks it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ucc_webhooks.engine.models import WebhookInput

__all__ = ["UsageError", "run_with_store", "validated_webhook"]


class UsageError(Exception):
    """Exit code 2: the arguments or the input file cannot be used as given."""


def run_with_store(args: argparse.Namespace, command: Callable[[Any, argparse.Namespace], int | None]) -> int:
    """`command(store, args)` on the host's store: a UsageError or a refusal exits 2, a store error 1."""
    from ucc_webhooks.engine.errors import Refusal
    from ucc_webhooks.storage.database import Store, StoreError

    try:
        store = Store()
    except StoreError as exc:
        print(f"ucc-webhooks: {exc}", file=sys.stderr)
        return 1
    try:
        return command(store, args) or 0
    except (UsageError, Refusal) as exc:
        print(f"ucc-webhooks {args.command}: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"ucc-webhooks {args.command}: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def validated_webhook(data: dict) -> WebhookInput:
    from pydantic import ValidationError

    from ucc_webhooks.engine.models import WebhookInput
    from ucc_webhooks.engine.validation import invalid_input

    try:
        return WebhookInput.model_validate(data)
    except ValidationError as exc:
        err = invalid_input(exc)
        raise UsageError(f"{err.field + ': ' if err.field and err.field not in err.message else ''}{err.message}") from None
