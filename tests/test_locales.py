"""Every refusal the host can send has its translation: each `reason` in the host's source (and
each reason derived from pydantic's own errors) has `host_<reason>` in the extension's English and
German messages, with placeholders named after the params the host sends."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from conftest import refused

from ucc_webhooks.engine.validation import PYDANTIC_REASONS

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT / "host" / "ucc_webhooks"
LOCALES = {lang: json.loads((ROOT / "extension" / "_locales" / lang / "messages.json").read_text(encoding="utf-8"))
           for lang in ("en", "de")}
#: Where `reason` stands among the positional arguments of the calls that take one.
REASON_POSITION = {"InvalidInput": 2, "NotFound": 2, "ReadOnly": 2, "SwitchedOff": 2, "Refusal": 2, "TemplateError": 3,
                   "ProtocolError": 3, "error_reply": 4}
PARAMS_POSITION = {name: pos + 1 for name, pos in REASON_POSITION.items()}
#: The params from_validation_error gives each pydantic-derived reason.
PYDANTIC_PARAMS = {"missing_field": {"field"}, "unknown_field": {"field"}, "not_one_of": {"field", "expected", "got"},
                   "too_long": {"field", "max"}, "too_short": {"field", "min"}, "out_of_range": {"field", "limit"},
                   "wrong_type": {"field", "expected"}, "invalid_value": {"field", "message"}}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _arg(call: ast.Call, keyword: str, position: int | None) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def host_reasons() -> dict[str, tuple[set[str] | None, str]]:
    """reason -> (param names when written as a dict literal, where it is raised)."""
    found: dict[str, tuple[set[str] | None, str]] = {}
    for path in sorted(HOST.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            reason = _arg(node, "reason", REASON_POSITION.get(name))
            if not (isinstance(reason, ast.Constant) and isinstance(reason.value, str)):
                continue
            params = _arg(node, "params", PARAMS_POSITION.get(name))
            keys: set[str] | None = ({str(k.value) for k in params.keys if isinstance(k, ast.Constant)}
                                     if isinstance(params, ast.Dict) else set() if params is None else None)
            found[reason.value] = (keys, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_scan_finds_the_reasons_it_should():
    reasons = host_reasons()
    assert {"webhook_not_found", "admin_read_only", "region_unknown", "secret_format"} <= set(reasons)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_host_reason_is_translated_with_its_params(lang):
    messages = LOCALES[lang]
    problems = []
    wanted = {r: (keys, where) for r, (keys, where) in host_reasons().items()}
    wanted.update({r: (PYDANTIC_PARAMS[r], "validation.PYDANTIC_REASONS") for r in set(PYDANTIC_REASONS.values())})
    for reason, (keys, where) in sorted(wanted.items()):
        entry = messages.get(f"host_{reason}")
        if entry is None:
            problems.append(f"host_{reason} missing ({where})")
            continue
        named = set(entry.get("placeholders", {}))
        if keys is not None and not named <= keys:
            problems.append(f"host_{reason} uses {sorted(named - keys)}, which {where} does not send")
    assert not problems, f"{lang}: " + "; ".join(problems)


def test_every_pydantic_reason_has_its_params_listed():
    assert set(PYDANTIC_REASONS.values()) == set(PYDANTIC_PARAMS)


# -- the reasons as the host sends them: refused by the service in this process, put on the wire
# as native.replies does (`refused`); the shared example and an unknown type through a real host --

def _refusal(host, type_: str, **fields) -> dict:
    from ucc_webhooks_dev.lab.host_client import HostError

    with pytest.raises(HostError) as caught:
        host.request(type_, **fields)
    return caught.value.reply["error"]


GOOD = {"trigger": "incoming_call_ringing", "action": "get", "url": "https://crm.example.com/?c={caller}"}


@pytest.mark.parametrize(("webhook", "reason", "params"), [
    ({k: v for k, v in GOOD.items() if k != "trigger"}, "missing_field", {"field": "trigger"}),
    ({**GOOD, "action": "put"}, "not_one_of", {"field": "action", "got": "put"}),
    ({**GOOD, "name": "x" * 201}, "too_long", {"field": "name", "max": "200"}),
    ({**GOOD, "enabled": "maybe"}, "wrong_type", {"field": "enabled"}),
    ({**GOOD, "colour": "red"}, "unknown_field", {"field": "colour"}),
    ({**GOOD, "secret": "hunter2"}, "secret_format", {}),
    ({**GOOD, "secret": "whsec_AAAA"}, "secret_too_short", {}),
])
def test_a_refused_save_names_its_reason_and_params(app, webhook, reason, params):
    error = refused(app.webhooks.save, webhook)
    assert (error["code"], error["reason"]) == ("validation_error", reason)
    assert params.items() <= error["params"].items(), error
    assert error["message"]  # the English text stays, for the CLI and as the fallback


def test_other_refusals_name_their_reason(app):
    assert refused(app.webhooks.delete, "wh_nope")["reason"] == "webhook_not_found"
    assert refused(app.webhooks.delete, "admin_x")["reason"] == "admin_read_only"
    assert refused(app.deliveries.retry, "msg_nope")["reason"] == "delivery_not_retryable"
    assert refused(app.settings.set, {"default_region": "D1"})["reason"] == "region_format"
    error = refused(app.settings.set, {"default_region": "QQ"})
    assert (error["reason"], error["params"]) == ("region_unknown", {"region": "QQ"})
    error = refused(app.settings.set, {"max_age_hours": -1})
    assert (error["reason"], error["params"]["field"]) == ("out_of_range", "max_age_hours")


def test_the_shared_example_of_a_reasoned_refusal_is_what_the_host_sends(host):
    from conftest import FIXTURES

    example = json.loads((FIXTURES / "protocol" / "settings.set.error.json").read_text(encoding="utf-8"))
    assert _refusal(host, "settings.set", settings={"default_region": "QQ"}) == example["error"]
    error = _refusal(host, "no.such.type")
    assert (error["code"], error["reason"], error["params"]["type"]) == ("unknown_type", "unknown_type", "no.such.type")
