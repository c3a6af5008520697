"""`ucc-webhooks presets [--json]`: the gallery of ready webhooks for CRMs and chat tools, and
what `ucc-webhooks add --preset ID --url URL [--header 'Name: value']...` makes of one.

A preset's URL and header values hold `<...>` where the account's own value goes; `add
--preset` refuses to save until every one of them is filled in (from `--url` and `--header`),
so nothing is ever sent to a placeholder address or with a placeholder token.
"""

from __future__ import annotations

import argparse
import json

__all__ = ["configure", "from_preset", "run"]


def configure(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from ucc_webhooks.engine.presets import PRESETS

    if args.json:
        print(json.dumps(list(PRESETS), indent=2, ensure_ascii=False))
        return 0
    for p in PRESETS:
        print(f"{p['id']:<20} {p['trigger']:<22} {p['name']}")
        print(f"{'':<20} {p['url']}")
        for name, value in p["headers"].items():
            print(f"{'':<20} header {name}: {value}")
        print(f"{'':<20} docs: {p['doc_url']}")
    print("\nadd one with: ucc-webhooks add --preset ID --url URL [--header 'Name: value']")
    return 0


def from_preset(preset_id: str, url: str | None, headers: dict[str, str], response_map: dict[str, str] | None = None,
                fallback_url: str = "") -> dict:
    """The webhook a preset makes with the caller's URL, headers, response map entries and fallback;
    ValueError says what is missing."""
    from ucc_webhooks.engine.presets import PRESETS, preset, unfilled

    try:
        p = preset(preset_id)
    except KeyError:
        raise ValueError(f"no preset {preset_id!r}; known: {', '.join(x['id'] for x in PRESETS)}") from None
    url = url or p["url"]
    if unfilled(url):
        raise ValueError(f"the {preset_id} preset needs your own URL: --url {p['url']!r} with the <...> and your-... parts filled in")
    merged = {**p["headers"], **headers}
    for name, value in merged.items():
        if unfilled(value):
            raise ValueError(f"the {preset_id} preset needs the header {name}: --header '{name}: {value}' "
                             "with the <...> part filled in")
    crm = {k: p[k] for k in ("conditions", "response_map", "contact_hosts", "fallback_url") if p.get(k)}
    if response_map:
        crm["response_map"] = {**crm.get("response_map", {}), **response_map}
    if fallback_url:
        crm["fallback_url"] = fallback_url
    for where, value in (("--fallback-url", crm.get("fallback_url") or ""),
                         *((f"--map {k}=", v) for k, v in crm.get("response_map", {}).items())):
        if unfilled(value):
            raise ValueError(f"the {preset_id} preset needs your account's part in {where.rstrip('=')}: "
                             f"{where}{'' if where.endswith('=') else ' '}{value!r} with the <...> part filled in")
    fields = {"name": p["name"], "trigger": p["trigger"], "action": p["action"], "url": url,
              "body": p["body"], "content_type": p["content_type"], "headers": merged}
    fields.update(crm)  # the CRM loop's presets: their response map, contact condition, hosts and fallback
    return fields
