"""Salesforce's REST API (v60.0) as the lab needs it: SOSL search, Task and Contact inserts.

Shapes from developer.salesforce.com (REST API "Search", SOSL FIND/IN/RETURNING, the object
reference for Task and Contact). The search keeps SOSL's rules: `FIND {terms}` with terms joined
by OR, reserved characters refused unless escaped, `IN PHONE FIELDS` searching the phone fields by
their digits (the REST guide's own example searches `4155551212` for `(415) 555-1212`), `RETURNING
Contact(fields)` choosing what comes back (a relationship such as Account.Name nested). Errors are
lists of `{message, errorCode}`; a reference field takes an existing record's id or null.
"""

from __future__ import annotations

import re

from ucc_webhooks_dev.lab.crm_server import Answer, CrmServer, Person, Request, digits

__all__ = ["Salesforce"]

_API = "/services/data/v60.0"
_SOSL = re.compile(r"^FIND \{(?P<terms>.*)\}(?: IN (?P<group>ALL|NAME|EMAIL|PHONE|SIDEBAR) FIELDS)?"
                   r"(?: RETURNING (?P<returning>.+))?$", re.IGNORECASE)
_RETURNING = re.compile(r"^([A-Za-z_]+)\(([A-Za-z_.]+(?:, ?[A-Za-z_.]+)*)\)$")
_RESERVED = set("?&|!{}[]()^~*:\\\"'+-")
_TASK_FIELDS = {"Subject", "TaskSubtype", "CallType", "CallDurationInSeconds", "CallObject", "CallDisposition", "Status",
                "Description", "ActivityDate", "WhoId", "WhatId", "OwnerId", "Priority"}
_CONTACT_FIELDS = {"LastName", "FirstName", "Phone", "MobilePhone", "LeadSource", "Description", "AccountId"}


def _unescaped_reserved(term: str) -> bool:
    """Whether a SOSL term holds a reserved character without its backslash (a quoted phrase's
    own quotes aside)."""
    text = term.strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1]
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in _RESERVED:
            return True
        i += 1
    return False


def _error(code: str, message: str, status: int = 400, fields: list[str] | None = None) -> Answer:
    return Answer(status, [{"message": message, "errorCode": code, "fields": fields or []}])


class Salesforce(CrmServer):
    search_path = f"{_API}/search/"

    def routes(self):
        return {("GET", self.search_path): self._search,
                ("POST", f"{_API}/sobjects/Task/"): self._task,
                ("POST", f"{_API}/sobjects/Contact/"): self._contact}

    def unauthorized(self) -> Answer:
        return _error("INVALID_SESSION_ID", "Session expired or invalid", 401)

    def new_id(self, kind: str, n: int) -> str:
        return ("003" if kind == "contact" else "00T") + f"LAB{n:012d}"

    def _field(self, vendor_id: str, person: Person, name: str) -> object:
        if name == "Account.Name":
            return None if person.company is None else {
                "attributes": {"type": "Account", "url": f"{_API}/sobjects/Account/001LAB{int(vendor_id[6:]):012d}"},
                "Name": person.company}
        return {"Id": vendor_id, "Name": person.name, "FirstName": person.first, "LastName": person.last,
                "Phone": person.phone, "MobilePhone": person.mobile}.get(name)

    # -- search ---------------------------------------------------------------------------------
    def _search(self, request: Request) -> Answer:
        m = _SOSL.match(request.query.get("q", ""))
        if m is None:
            return _error("MALFORMED_SEARCH", "No search term found. The search term must be enclosed in braces.")
        terms = re.split(r" OR ", m["terms"], flags=re.IGNORECASE)
        for term in terms:
            if not term.strip() or _unescaped_reserved(term):
                return _error("MALFORMED_SEARCH", f"line 1:6 mismatched character in search term {term!r}: "
                                                  "reserved characters must be escaped")
        group = (m["group"] or "ALL").upper()
        objects = []
        for part in re.split(r",(?![^(]*\))", m["returning"] or "Contact(Id)"):
            r = _RETURNING.match(part.strip())
            if r is None:
                return _error("MALFORMED_SEARCH", f"unexpected token in RETURNING: {part!r}")
            objects.append((r[1], [f.strip() for f in r[2].split(",")]))
        found = []
        for obj, fields in objects:
            if obj != "Contact":
                continue  # the lab keeps Contacts only
            for vendor_id, person in sorted(self.people.items()):
                if any(self._hit(term, person, group) for term in terms):
                    rec: dict = {"attributes": {"type": "Contact", "url": f"{_API}/sobjects/Contact/{vendor_id}"}}
                    for f in fields:
                        rec[f.split(".")[0]] = self._field(vendor_id, person, f)
                    found.append(rec)
        return Answer(200, {"searchRecords": found})

    @staticmethod
    def _hit(term: str, person: Person, group: str) -> bool:
        phones = [p for p in (person.phone, person.mobile) if p]
        if group in ("PHONE", "ALL") and digits(term) and any(digits(p) == digits(term) for p in phones):
            return True
        return group in ("NAME", "ALL") and term.strip().lower() in person.name.lower()

    # -- creating -------------------------------------------------------------------------------
    def _reference(self, value: object, field: str, problems: list[str]) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?", value):
            problems.append(f"MALFORMED_ID: {field}: id value of incorrect type: {value!r}")
        elif value not in self.people:
            problems.append(f"INVALID_CROSS_REFERENCE_KEY: {field}: invalid cross reference id")
        else:
            return value
        return None

    def _task(self, request: Request) -> Answer:
        body = request.json()
        if not isinstance(body, dict):
            self.record("call", body, ["JSON_PARSER_ERROR"])
            return _error("JSON_PARSER_ERROR", "the body must be a JSON object")
        problems = [f"INVALID_FIELD: No such column '{k}' on sobject of type Task" for k in body if k not in _TASK_FIELDS]
        if "CallDurationInSeconds" in body and (not isinstance(body["CallDurationInSeconds"], int)
                                                or isinstance(body["CallDurationInSeconds"], bool)):
            problems.append("JSON_PARSER_ERROR: CallDurationInSeconds: an integer")
        for name, limit in (("Subject", 255), ("CallObject", 255), ("CallDisposition", 255), ("Description", 32000)):
            if name in body and (not isinstance(body[name], str) or len(body[name]) > limit):
                problems.append(f"STRING_TOO_LONG: {name}: text of at most {limit} characters")
        if body.get("TaskSubtype") not in (None, "Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"):
            problems.append("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: TaskSubtype")
        if body.get("CallType") not in (None, "Internal", "Inbound", "Outbound"):
            problems.append("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: CallType")
        who = self._reference(body.get("WhoId"), "WhoId", problems)
        self.record("call", body, problems, who)
        if problems:
            code, _, message = problems[0].partition(": ")
            return _error(code, message)
        return Answer(201, {"id": self.new_id("task", len(self.created)), "success": True, "errors": []})

    def _contact(self, request: Request) -> Answer:
        body = request.json()
        problems = []
        if not isinstance(body, dict):
            body, problems = {}, ["JSON_PARSER_ERROR: the body must be a JSON object"]
        problems += [f"INVALID_FIELD: No such column '{k}' on sobject of type Contact" for k in body
                     if k not in _CONTACT_FIELDS]
        if not isinstance(body.get("LastName"), str) or not body["LastName"].strip():
            problems.append("REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]")
        elif len(body["LastName"]) > 80:
            problems.append("STRING_TOO_LONG: LastName: data value too large")
        if body.get("LeadSource") not in (None, "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"):
            problems.append("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: LeadSource")
        if problems:
            self.record("contact", body, problems)
            code, _, message = problems[0].partition(": ")
            return _error(code, message)
        vendor_id = self.add_person(Person(f"new-{len(self.people)}", body.get("FirstName") or "", body["LastName"], None,
                                           body.get("Phone"), body.get("MobilePhone")))
        self.record("contact", body, [], vendor_id)
        return Answer(201, {"id": vendor_id, "success": True, "errors": []})
