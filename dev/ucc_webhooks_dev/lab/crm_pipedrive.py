"""Pipedrive's API as the lab needs it: persons search (API v2), call logs (API v1), persons (v2).

Shapes from developers.pipedrive.com (Persons: searchPersons, addPerson; CallLogs: addCallLog).
The search keeps Pipedrive's rules: `term` at least 2 characters (1 with `exact_match`), `fields`
from custom_fields, email, notes, phone, name; with `exact_match` only whole values match (case
ignored), without it a part of a value does. A phone number is compared by its digits, so a part
like `301234567` matches `030 1234567` and `+49 30 1234567` alike (what RingCentral's Pipedrive
integration relies on when it searches the number without country code).
"""

from __future__ import annotations

import re

from ucc_webhooks_dev.lab.crm_server import Answer, CrmServer, Person, Request, digits

__all__ = ["Pipedrive"]

_FIELDS = {"custom_fields", "email", "notes", "phone", "name"}
_OUTCOMES = {"connected", "no_answer", "left_message", "left_voicemail", "wrong_number", "busy"}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_INT_FIELDS = ("user_id", "activity_id", "person_id", "org_id", "deal_id")


def _error(message: str, status: int = 400) -> Answer:
    return Answer(status, {"success": False, "error": message, "errorCode": status, "error_info": None})


class Pipedrive(CrmServer):
    search_path = "/api/v2/persons/search"

    def routes(self):
        return {("GET", self.search_path): self._search,
                ("POST", "/v1/callLogs"): self._call_log,
                ("POST", "/api/v2/persons"): self._person}

    def authorized(self, request: Request) -> bool:
        return self.token in (request.header("x-api-token"), request.query.get("api_token"))

    def unauthorized(self) -> Answer:
        return Answer(401, {"success": False, "error": "unauthorized access", "errorCode": 401,
                            "error_info": "Please check developers.pipedrive.com for more information about Pipedrive API."})

    def new_id(self, kind: str, n: int) -> str:
        return str(100 + n)

    def item(self, vendor_id: str, person: Person) -> dict:
        org = None if person.company is None else {"id": 700 + int(vendor_id), "name": person.company, "address": None}
        return {"id": int(vendor_id), "type": "person", "name": person.name,
                "phones": [p for p in (person.phone, person.mobile) if p], "emails": [], "visible_to": 3,
                "owner": {"id": 1}, "organization": org, "custom_fields": [], "notes": [],
                "update_time": "2026-11-25 07:17:46"}

    # -- search ---------------------------------------------------------------------------------
    def _search(self, request: Request) -> Answer:
        q = request.query
        term = q.get("term", "")
        exact = q.get("exact_match", "false") == "true"
        if q.get("exact_match", "false") not in ("true", "false"):
            return _error("exact_match must be true or false")
        if len(term) < (1 if exact else 2):
            return _error("Validation failed: term: Search term must be at least 2 characters long")
        fields = set(q.get("fields", ",".join(sorted(_FIELDS))).split(","))
        if not fields <= _FIELDS:
            return _error(f"Validation failed: fields: unknown field(s) {sorted(fields - _FIELDS)}")
        limit = int(q.get("limit", "100")) if q.get("limit", "100").isdigit() else 0
        if not 1 <= limit <= 500:
            return _error("Validation failed: limit: must be from 1 to 500")
        items = []
        for vendor_id, person in sorted(self.people.items()):
            values = ([person.name] if "name" in fields else []) + \
                     ([p for p in (person.phone, person.mobile) if p] if "phone" in fields else [])
            phones = {person.phone, person.mobile} if "phone" in fields else set()
            if any(self._matches(term, value, exact, value in phones) for value in values):
                items.append({"result_score": 1.0 if exact else 0.5, "item": self.item(vendor_id, person)})
        return Answer(200, {"success": True, "data": {"items": items[:limit]}, "additional_data": {"next_cursor": None}})

    @staticmethod
    def _matches(term: str, value: str, exact: bool, phone: bool) -> bool:
        if exact:
            return term.lower() == value.lower()
        if phone and digits(term) and len(digits(term)) == len(term.strip()):
            return digits(term) in digits(value)
        return term.lower() in value.lower()

    # -- creating -------------------------------------------------------------------------------
    def _call_log(self, request: Request) -> Answer:
        body = request.json()
        problems = []
        if not isinstance(body, dict):
            body, problems = {}, ["the body must be a JSON object"]
        for name in ("outcome", "to_phone_number", "start_time", "end_time"):
            if not body.get(name):
                problems.append(f"{name} is required")
        if body.get("outcome") and body["outcome"] not in _OUTCOMES:
            problems.append(f"outcome must be one of {sorted(_OUTCOMES)}")
        for name in ("start_time", "end_time"):
            if body.get(name) and not _DATETIME.match(str(body[name])):
                problems.append(f"{name} must be YYYY-MM-DD HH:MM:SS (UTC)")
        if "duration" in body and not (isinstance(body["duration"], str) and body["duration"].isdigit()):
            problems.append("duration is the number of seconds as a string")
        for name in _INT_FIELDS:
            if name in body and (not isinstance(body[name], int) or isinstance(body[name], bool)):
                problems.append(f"{name} must be an integer, got {body[name]!r}")
        person_id = body.get("person_id")
        if isinstance(person_id, int) and str(person_id) not in self.people:
            problems.append(f"person_id {person_id}: no such person")
        self.record("call", body, problems, str(person_id) if isinstance(person_id, int) else None)
        if problems:
            return _error("; ".join(problems))
        return Answer(200, {"success": True, "data": {"id": f"call-log-{len(self.created)}", **body}})

    def _person(self, request: Request) -> Answer:
        body = request.json()
        problems = []
        if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"].strip():
            problems.append("name is required")
        phones = body.get("phones", []) if isinstance(body, dict) else []
        if not isinstance(phones, list) or any(not isinstance(p, dict) or not isinstance(p.get("value"), str)
                                               or not isinstance(p.get("primary", False), bool) for p in phones):
            problems.append("phones: a list of {value, primary, label}")
            phones = []
        if problems:
            self.record("contact", body, problems)
            return _error("; ".join(problems))
        assert isinstance(body, dict)
        numbers = [p["value"] for p in phones]
        vendor_id = self.add_person(Person(f"new-{len(self.people)}", "", body["name"], None,
                                           numbers[0] if numbers else None, numbers[1] if len(numbers) > 1 else None))
        self.record("contact", body, [], vendor_id)
        return Answer(200, {"success": True, "data": {"id": int(vendor_id), "name": body["name"], "phones": phones}})
