"""Manage webhooks from the command line, on the same store the host uses.

    ucc-webhooks list [--json]
    ucc-webhooks add --trigger T --action A --url U [--body B] [--content-type C]
                     [--header 'Name: value']... [--secret S|generate] [--name N] [--disabled]
                     [--only external|internal] [--queue NAME]... [--min-duration N] [--contact found|not_found]
                     [--map FIELD=EXPR]... [--contact-host HOST]... [--fallback-url U]   (the CRM loop: lookup, open_tab)
    ucc-webhooks add --preset ID [--url U] [--header 'Name: value']...   (see `ucc-webhooks presets`)
    ucc-webhooks remove|enable|disable|test ID
    ucc-webhooks log [--json] [--limit N] [--webhook ID]
    ucc-webhooks export [--include-secrets] [FILE]      (JSON on stdout without FILE)
    ucc-webhooks import [--replace] FILE                (`-` reads stdin)

Bad arguments exit with code 2 and a message that names what to change, the same validation as
the popup (an unavailable placeholder is named, with the trigger).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time

from ucc_webhooks.cli.usage import UsageError, run_with_store, validated_webhook
from ucc_webhooks.engine.http_rules import mask_url
from ucc_webhooks.engine.models import MASK

__all__ = ["configure", "run"]

EXPORT_VERSION = 1


def configure(parser: argparse.ArgumentParser, command: str) -> None:
    from ucc_webhooks.engine.triggers import ACTIONS, CONTENT_TYPES, trigger_ids

    if command in ("list", "log", "add", "test"):
        parser.add_argument("--json", action="store_true", help="machine-readable output")
    if command in ("remove", "enable", "disable"):
        # silent on success like rm; --json confirms what changed, for roll-out scripts
        parser.add_argument("--json", action="store_true", help="print the webhook's id and its new state as JSON")
    if command == "log":
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--webhook", metavar="ID", help="only this webhook's deliveries")
    if command == "add":
        parser.add_argument("--preset", metavar="ID", help="start from a ready webhook (`ucc-webhooks presets`)")
        parser.add_argument("--trigger", choices=trigger_ids(), help="required unless --preset")
        parser.add_argument("--action", choices=ACTIONS, help="required unless --preset")
        parser.add_argument("--url", help="http(s) URL; placeholders like {caller} allowed")
        parser.add_argument("--body", default="", help='POST body, e.g. \'{"caller": "{caller}", "seconds": {duration}}\'')
        parser.add_argument("--only", choices=("external", "internal"), help="fire only for calls with external/internal numbers")
        parser.add_argument("--queue", action="append", default=[], metavar="NAME", help="fire only for this queue (repeatable)")
        parser.add_argument("--min-duration", type=int, metavar="N", help="fire only for calls of at least N seconds (*_ended)")
        parser.add_argument("--contact", choices=("any", "found", "not_found", "unknown_caller"),
                            help="fire only when the call's lookup found the caller in the CRM (or did not)")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=EXPR",
                            help="lookup: the response map, a JMESPath expression per contact field "
                                 "(contact_id=results[0].id; repeatable)")
        parser.add_argument("--contact-host", action="append", default=[], metavar="HOST",
                            help="lookup/open_tab: a host a contact URL from the CRM may point at (repeatable)")
        parser.add_argument("--fallback-url", default="", help="open_tab: opened instead when no contact was found")
        parser.add_argument("--content-type", default="application/json", choices=CONTENT_TYPES)
        parser.add_argument("--header", action="append", default=[], metavar="'Name: value'")
        parser.add_argument("--secret", help="whsec_... or 'generate' to sign requests (Standard Webhooks)")
        parser.add_argument("--name", default="")
        parser.add_argument("--disabled", action="store_true", help="add it switched off")
    if command in ("remove", "enable", "disable", "test"):
        parser.add_argument("id", help="webhook id, as `ucc-webhooks list` shows it")
    if command == "export":
        parser.add_argument("--include-secrets", action="store_true", help="also write header values and secrets")
        parser.add_argument("file", nargs="?", help="write here instead of stdout (created 0600)")
    if command == "import":
        parser.add_argument("--replace", action="store_true", help="also remove your own webhooks the file does not match")
        parser.add_argument("--json", action="store_true", help="report added/updated/unchanged/removed ids as JSON")
        parser.add_argument("file", help="a file written by `export`, or - for stdin")
    parser.set_defaults(command=command)


def run(args: argparse.Namespace) -> int:
    return run_with_store(args, COMMANDS[args.command])


def _headers(items: list[str]) -> dict[str, str]:
    headers = {}
    for item in items:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--header {item!r} must look like 'Name: value'")
        headers[name.strip()] = value.strip()
    return headers


def _all(store) -> list:
    from ucc_webhooks.engine.policy import read_policy

    return read_policy().presets + store.list_webhooks()


def cmd_list(store, args) -> int:
    webhooks = [w.masked() for w in _all(store)]
    if args.json:
        print(json.dumps(webhooks, indent=2, ensure_ascii=False))
        return 0
    if not webhooks:
        print("no webhooks yet; add one with `ucc-webhooks add --trigger ... --action ... --url ...`")
    for w in webhooks:
        state = "on " if w["enabled"] else "off"
        extra = " [admin]" if w["origin"] == "admin" else ""
        reason = f"  ({w['disabled_reason']})" if w["disabled_reason"] else ""
        name = f"{w['name']!r:<20} " if w["name"] else f"{'(no name)':<20} "
        print(f"{w['id']}  {state}  {name}{w['trigger']:<22} {w['action']:<8} {w['url']}{extra}{reason}")
    return 0


def _response_map(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, expression = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--map {item!r} must look like 'contact_id=results[0].id'")
        out[key.strip()] = expression.strip()
    return out


def cmd_add(store, args) -> int:
    if args.preset:
        from ucc_webhooks.cli.presets import from_preset

        try:
            fields = from_preset(args.preset, args.url, _headers(args.header), _response_map(args.map), args.fallback_url)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        fields["name"] = args.name or fields["name"]
    elif not (args.trigger and args.action and args.url):
        raise UsageError("--trigger, --action and --url are required (or start from --preset ID)")
    else:
        fields = {"name": args.name, "trigger": args.trigger, "action": args.action, "url": args.url,
                  "body": args.body, "content_type": args.content_type, "headers": _headers(args.header)}
    conditions = dict(fields.get("conditions") or {})  # a preset's own, then what the arguments say
    for key, given in (("numbers", args.only), ("queues", args.queue), ("min_duration", args.min_duration),
                       ("contact", args.contact)):
        if given:
            conditions[key] = given
    if not args.preset:
        fields.update({"response_map": _response_map(args.map), "fallback_url": args.fallback_url})
    if args.contact_host:
        fields["contact_hosts"] = args.contact_host
    data = validated_webhook({**fields, "secret": args.secret, "enabled": not args.disabled, "conditions": conditions})
    webhook, generated = store.save_webhook(data)
    if args.json:
        print(json.dumps({"id": webhook.id, "secret": generated}))
        return 0
    print(webhook.id)
    if generated:
        print(f"secret (shown once; give it to the receiver to verify signatures): {generated}", file=sys.stderr)
    return 0


def _user_webhook(store, webhook_id: str):
    if webhook_id.startswith("admin_"):
        raise UsageError(f"{webhook_id} is set by your administrator in the policy file and cannot be changed here")
    return store.get_webhook(webhook_id)  # NotFound is a refusal: exit 2 with its message


def cmd_remove(store, args) -> int:
    _user_webhook(store, args.id)
    store.delete_webhook(args.id)
    if args.json:
        print(json.dumps({"id": args.id, "removed": True}))
    return 0


def cmd_enable(store, args) -> int:
    _user_webhook(store, args.id)
    store.set_enabled(args.id, args.command == "enable")
    if args.json:
        print(json.dumps({"id": args.id, "enabled": args.command == "enable"}))
    return 0


def cmd_test(store, args) -> int:
    from ucc_webhooks.service.app import App

    opened: list[str] = []
    app = App(store, notify=lambda m: opened.append(m["url"]) if m.get("type") == "open_tab" else None)

    async def go():
        try:
            return await app.webhooks.test(args.id)
        finally:
            await app.deliverer.close(0.1)

    result = asyncio.run(go())  # a refusal (not found, switched off) exits 2 with its message
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        if result["action"] == "open_tab":
            return 0
        return 0 if result["ok"] else 1
    if result["action"] == "open_tab":
        import webbrowser

        print(f"open_tab {result['url']}")
        webbrowser.open(opened[0])  # from the CLI, the default browser stands in for the extension
        return 0
    outcome = f"HTTP {result['status']}" if result["status"] else result["error"]
    print(f"{result['action'].upper()} {result['url']} -> {outcome} in {result['latency_ms']} ms"
          f" ({result.get('values_from', 'sample')} values)")
    return 0 if result["ok"] else 1


def cmd_log(store, args) -> int:
    from ucc_webhooks.storage.outbox import Outbox

    entries = Outbox(store).list(args.limit, args.webhook)
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return 0
    for d in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(d["updated_at"]))
        result = d["last_status"] or d["last_error"] or ""
        if d["last_status"] and d["last_error"]:
            result = d["last_error"]
        print(f"{when}  {d['state']:<9} {d['attempts']}x  {d['trigger']:<22} {d['action']:<8} {d['url']}  {result}")
    return 0


def cmd_export(store, args) -> int:
    items = []
    for w in store.list_webhooks():
        data = w.model_dump(exclude={"origin", "disabled_reason", "created_at", "updated_at"})
        if not args.include_secrets:
            data["headers"] = {k: "" for k in w.headers}
            data["secret"] = MASK if w.secret else None  # "there is one": import names it as left out
            data["url"] = mask_url(w.url)
        items.append(data)
    text = json.dumps({"version": EXPORT_VERSION, "webhooks": items}, indent=2, ensure_ascii=False) + "\n"
    if args.file:
        import os

        fd = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        # the mode given to open() applies only to a new file: an existing one is made 0600 too
        # (before anything is written to it), whatever it was
        with contextlib.suppress(OSError, AttributeError):  # no fchmod on Windows
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(store, args) -> int:
    from ucc_webhooks.cli.importing import import_file

    return import_file(store, args)


COMMANDS = {"list": cmd_list, "add": cmd_add, "remove": cmd_remove, "enable": cmd_enable, "disable": cmd_enable,
            "test": cmd_test, "log": cmd_log, "export": cmd_export, "import": cmd_import}
