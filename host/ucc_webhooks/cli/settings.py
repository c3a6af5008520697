"""`ucc-webhooks settings`: the host's settings (the popup's Settings) from a script.

    ucc-webhooks settings [--json]                      show them (a proxy's password masked)
    ucc-webhooks settings set KEY=VALUE [KEY=VALUE…]    change some, checked as the popup's are
    ucc-webhooks settings reset KEY [KEY…]              back to the default

For the roll-out that sets the company proxy on every desktop (`settings set
proxy=http://proxy.example.com:3128`). A value is read as JSON when it is JSON (`true`, `6`,
`null`), else as text, so `proxy_from_env=true` and `default_region=AT` both say what they mean.
A running host reads the new settings at its next event.
"""

from __future__ import annotations

import argparse
import json

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument("--json", action="store_true", help="print the settings as JSON")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    change = sub.add_parser("set", help="change settings: KEY=VALUE (a JSON value, else text)")
    change.add_argument("pairs", nargs="+", metavar="KEY=VALUE")
    # SUPPRESS: a sub-command's own default would undo `settings --json set …`
    change.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the settings as JSON")
    reset = sub.add_parser("reset", help="put settings back to their defaults")
    reset.add_argument("keys", nargs="+", metavar="KEY")
    reset.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the settings as JSON")


def run(args: argparse.Namespace) -> int:
    from ucc_webhooks.cli.usage import run_with_store

    return run_with_store(args, _settings)


def _settings(store, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ucc_webhooks.cli.usage import UsageError
    from ucc_webhooks.engine.models import Settings
    from ucc_webhooks.engine.validation import invalid_input

    known = list(Settings.model_fields)
    try:
        changes = _changes(args, known, Settings)
        settings = store.set_settings(changes) if changes else store.get_settings()
    except ValueError as exc:  # pydantic's ValidationError is one too
        message = invalid_input(exc).message if isinstance(exc, ValidationError) else str(exc)
        raise UsageError(message) from None
    shown = _masked(settings.model_dump())
    if args.json:
        print(json.dumps(shown, indent=2, ensure_ascii=False))
    else:
        for key in known:
            print(f"{key} = {json.dumps(shown[key], ensure_ascii=False)}")
    return 0


def _changes(args: argparse.Namespace, known: list[str], settings_model) -> dict:
    if args.action == "reset":
        unknown = [k for k in args.keys if k not in known]
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}; the settings are {', '.join(known)}")
        return {k: settings_model.model_fields[k].default for k in args.keys}
    if args.action != "set":
        return {}
    changes = {}
    for pair in args.pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"{pair!r} must look like KEY=VALUE")
        if key not in known:
            raise ValueError(f"unknown setting {key!r}; the settings are {', '.join(known)}")
        try:
            changes[key] = json.loads(text)
        except ValueError:
            changes[key] = text
    return changes


def _masked(settings: dict) -> dict:
    from ucc_webhooks.engine.http_rules import mask_url

    if settings.get("proxy"):
        settings["proxy"] = mask_url(settings["proxy"])
    return settings
