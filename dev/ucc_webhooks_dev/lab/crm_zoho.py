"""Zoho CRM's API v8 as the lab needs it: Search Records in Contacts, Calls and Contacts inserts.

Shapes from zoho.com/crm/developer/docs/api/v8 (search-records, insert-records). The search keeps
Zoho's rules: exactly one of criteria, email, phone, word; criteria as
`((api_name:operator:value)or(...))`, at most 10 conditions, `equals` and `starts_with`; nothing
found is `204 No Content` without a body. Phone fields are compared by their digits (formatting
aside); text fields without regard to case. A lookup field is `{"id": "..."}`.
"""

from __future__ import annotations

import re

from ucc_webhooks_dev.lab.crm_server import Answer, CrmServer, Person, Request, digits

__all__ = ["Zoho"]

_CONDITION = re.compile(r"\(([A-Za-z0-9_]+):(equals|starts_with):([^():,]+)\)")
_PHONE_FIELDS = ("Phone", "Mobile", "Home_Phone", "Other_Phone", "Asst_Phone")
_FIELDS = {"First_Name", "Last_Name", "Full_Name", "Account_Name", "Email", *_PHONE_FIELDS}
_START = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
_DURATION = re.compile(r"^\d+:\d{2}$")


def _error(code: str, message: str, status: int = 400, details: dict | None = None) -> Answer:
    return Answer(status, {"code": code, "details": details or {}, "message": message, "status": "error"})


def _record_error(code: str, message: str, field: str) -> Answer:
    return Answer(400, {"data": [{"code": code, "details": {"api_name": field}, "message": message, "status": "error"}]})


class Zoho(CrmServer):
    search_path = "/crm/v8/Contacts/search"

    def routes(self):
        return {("GET", self.search_path): self._search,
                ("POST", "/crm/v8/Calls"): self._call,
                ("POST", "/crm/v8/Contacts"): self._contact}

    def authorized(self, request: Request) -> bool:
        return request.header("authorization") == f"Zoho-oauthtoken {self.token}"

    def unauthorized(self) -> Answer:
        return _error("INVALID_TOKEN", "invalid oauth token", 401)

    def new_id(self, kind: str, n: int) -> str:
        return str((4150868000000224000 if kind == "contact" else 4150868000000311000) + n)

    def record_of(self, vendor_id: str, person: Person) -> dict:
        account = None if person.company is None else {"name": person.company, "id": str(int(vendor_id) + 500)}
        return {"id": vendor_id, "First_Name": person.first or None, "Last_Name": person.last, "Full_Name": person.name,
                "Account_Name": account, "Phone": person.phone, "Mobile": person.mobile}

    # -- search ---------------------------------------------------------------------------------
    def _search(self, request: Request) -> Answer:
        q = request.query
        given = [k for k in ("criteria", "email", "phone", "word") if k in q]
        if len(given) != 1:
            return _error("REQUIRED_PARAM_MISSING", "one of the expected parameter is missing",
                          details={"param": "criteria, email, phone or word"})
        per_page = q.get("per_page", "200")
        if not per_page.isdigit() or not 1 <= int(per_page) <= 200:
            return _error("INVALID_DATA", "per_page must be from 1 to 200", details={"param": "per_page"})
        if "criteria" in q:
            test = self._criteria(q["criteria"])
            if isinstance(test, Answer):
                return test
        elif "phone" in q:
            term = digits(q["phone"])
            test = lambda rec: bool(term) and any(digits(rec.get(f)) == term for f in _PHONE_FIELDS)  # noqa: E731
        else:
            return _error("INVALID_QUERY", "the lab searches by criteria or phone only")
        wanted = q.get("fields", "").split(",") if q.get("fields") else None
        found = []
        for vendor_id, person in sorted(self.people.items()):
            rec = self.record_of(vendor_id, person)
            if test(rec):
                found.append({k: v for k, v in rec.items() if wanted is None or k in wanted or k == "id"})
        if not found:
            return Answer(204, None)
        shown = found[:int(per_page)]
        return Answer(200, {"data": shown, "info": {"per_page": int(per_page), "count": len(shown), "page": 1,
                                                    "more_records": len(found) > len(shown)}})

    @staticmethod
    def _criteria(text: str):
        """A test for one record, or the error Zoho gives; `(c)` and `((c)or(c)...)` are both criteria."""
        inner = text if _CONDITION.fullmatch(text) else text[1:-1] if text[:1] + text[-1:] == "()" else ""
        conditions = _CONDITION.findall(inner)
        joints = _CONDITION.sub("", inner)
        words = re.findall(r"and|or", joints)
        if (not conditions or len(conditions) > 10 or "".join(words) != joints
                or len(words) != len(conditions) - 1 or len(set(words)) > 1
                or any(field not in _FIELDS for field, _, _ in conditions)):
            return _error("INVALID_QUERY", "invalid query formed",
                          details={"reason": "1 to 10 conditions joined by one of and / or"})

        def holds(rec: dict, field: str, op: str, value: str) -> bool:
            stored = rec.get(field)
            if isinstance(stored, dict):
                stored = stored.get("name")
            if stored is None:
                return False
            if field in _PHONE_FIELDS:
                a, b = digits(stored), digits(value)
                return bool(b) and (a == b if op == "equals" else a.startswith(b))
            return stored.lower() == value.lower() if op == "equals" else stored.lower().startswith(value.lower())

        join = all if words and words[0] == "and" else any
        return lambda rec: join(holds(rec, *c) for c in conditions)

    # -- creating -------------------------------------------------------------------------------
    def _records(self, request: Request, kind: str) -> tuple[list, Answer | None]:
        body = request.json()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not 1 <= len(data) <= 100 or not all(isinstance(r, dict) for r in data):
            self.record(kind, body, ["data: a list of 1 to 100 records"])
            return [], _error("INVALID_DATA", "invalid data", details={"api_name": "data"})
        return data, None

    def _call(self, request: Request) -> Answer:
        data, refused = self._records(request, "call")
        if refused:
            return refused
        rec = data[0]
        problems = [f"{f} is mandatory" for f in ("Subject", "Call_Type", "Call_Start_Time", "Call_Duration") if not rec.get(f)]
        if rec.get("Call_Type") and rec["Call_Type"] not in ("Inbound", "Outbound", "Missed"):
            problems.append("Call_Type: Inbound, Outbound or Missed")
        if rec.get("Call_Start_Time") and not _START.match(str(rec["Call_Start_Time"])):
            problems.append("Call_Start_Time: yyyy-MM-ddTHH:mm:ss±HH:mm")
        if rec.get("Call_Duration") and not _DURATION.match(str(rec["Call_Duration"])):
            problems.append("Call_Duration: mm:ss")
        who = rec.get("Who_Id")
        contact = None
        if who is not None:
            if not isinstance(who, dict) or not isinstance(who.get("id"), str) or who["id"] not in self.people:
                problems.append(f"Who_Id: {who!r} is no contact's id")
            else:
                contact = who["id"]
        self.record("call", {"data": data}, problems, contact)
        if problems:
            return _record_error("MANDATORY_NOT_FOUND" if "mandatory" in problems[0] else "INVALID_DATA",
                                 "; ".join(problems), problems[0].split(" ")[0].rstrip(":"))
        return Answer(201, {"data": [{"code": "SUCCESS", "details": {"id": self.new_id("call", len(self.created))},
                                      "message": "record added", "status": "success"}]})

    def _contact(self, request: Request) -> Answer:
        data, refused = self._records(request, "contact")
        if refused:
            return refused
        rec = data[0]
        if not isinstance(rec.get("Last_Name"), str) or not rec["Last_Name"].strip():
            self.record("contact", {"data": data}, ["Last_Name is mandatory"])
            return _record_error("MANDATORY_NOT_FOUND", "required field not found", "Last_Name")
        vendor_id = self.add_person(Person(f"new-{len(self.people)}", rec.get("First_Name") or "", rec["Last_Name"],
                                           None, rec.get("Phone"), rec.get("Mobile")))
        self.record("contact", {"data": data}, [], vendor_id)
        return Answer(201, {"data": [{"code": "SUCCESS", "details": {"id": vendor_id}, "message": "record added",
                                      "status": "success"}]})
