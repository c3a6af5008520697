"""HubSpot's CRM API as the lab needs it: contact search, call engagements, contacts.

Shapes from developers.hubspot.com (docs/api/crm/search, /calls, /contacts). The search keeps
HubSpot's rules: filterGroups ORed, the filters of a group ANDed, at most 3 groups of 3 filters
(the limit the guide gives for every plan), `properties` choose what comes back. Each contact has
`hs_searchable_calculated_phone_number` (and `..._mobile_number`): HubSpot's calculated form of the
typed-in number, its national significant number (digits without country code and trunk 0),
computed here with libphonenumber for the portal's country (DE). EQ compares whole values.
"""

from __future__ import annotations

from ucc_webhooks_dev.lab.crm_server import Answer, CrmServer, Person, Request

__all__ = ["HubSpot"]

_OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY",
              "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
_SUPPORTED = {"EQ", "HAS_PROPERTY"}  # what the lab evaluates; the others are valid but answered 400 here
_CALL_TO_CONTACT = 194
_DEFAULTS = ("firstname", "lastname", "email", "lastmodifieddate", "hs_object_id", "createdate")
_STAMP = "2026-11-25T07:17:46.000Z"


def _nsn(number: str | None) -> str | None:
    if not number:
        return None
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, "DE")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.national_significant_number(parsed) if phonenumbers.is_valid_number(parsed) else None


def _error(message: str, category: str = "VALIDATION_ERROR", status: int = 400) -> Answer:
    return Answer(status, {"status": "error", "message": message, "correlationId": "lab-0001", "category": category})


class HubSpot(CrmServer):
    search_path = "/crm/v3/objects/contacts/search"

    def routes(self):
        return {("POST", self.search_path): self._search,
                ("POST", "/crm/v3/objects/calls"): self._call,
                ("POST", "/crm/v3/objects/contacts"): self._contact}

    def unauthorized(self) -> Answer:
        return _error("Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
                      "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                      "INVALID_AUTHENTICATION", 401)

    def new_id(self, kind: str, n: int) -> str:
        return str((5100 if kind == "contact" else 29000) + n)

    def properties(self, vendor_id: str, person: Person) -> dict[str, str | None]:
        return {"firstname": person.first, "lastname": person.last, "company": person.company,
                "phone": person.phone, "mobilephone": person.mobile, "email": None,
                "hs_searchable_calculated_phone_number": _nsn(person.phone),
                "hs_searchable_calculated_mobile_number": _nsn(person.mobile),
                "hs_object_id": vendor_id, "createdate": _STAMP, "lastmodifieddate": _STAMP}

    # -- search ---------------------------------------------------------------------------------
    def _search(self, request: Request) -> Answer:
        body = request.json()
        if not isinstance(body, dict):
            return _error("Invalid input JSON on line 1: the body must be a JSON object")
        groups = body.get("filterGroups", [])
        if not isinstance(groups, list) or len(groups) > 3:
            return _error("filterGroups: at most 3 filter groups are allowed")
        limit = body.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= 200:
            return _error("limit must be a number from 1 to 200")
        checked: list[list[dict]] = []
        for group in groups:
            filters = group.get("filters") if isinstance(group, dict) else None
            if not isinstance(filters, list) or not 1 <= len(filters) <= 3:
                return _error("each filter group holds 1 to 3 filters")
            for f in filters:
                problem = self._filter_problem(f)
                if problem:
                    return _error(problem)
            checked.append(filters)
        wanted = body.get("properties") or list(_DEFAULTS)
        results = []
        for vendor_id, person in sorted(self.people.items()):
            props = self.properties(vendor_id, person)
            if checked and not any(all(self._holds(f, props) for f in group) for group in checked):
                continue
            shown = {name: props.get(name) for name in (*wanted, "hs_object_id", "createdate", "lastmodifieddate")}
            results.append({"id": vendor_id, "properties": shown, "createdAt": _STAMP, "updatedAt": _STAMP,
                            "archived": False})
        return Answer(200, {"total": len(results), "results": results[:limit]})

    @staticmethod
    def _filter_problem(f: object) -> str | None:
        if not isinstance(f, dict) or not isinstance(f.get("propertyName"), str) or not f["propertyName"]:
            return "a filter needs a propertyName"
        if f.get("operator") not in _OPERATORS:
            return f"Invalid operator {f.get('operator')!r}"
        if f["operator"] not in _SUPPORTED:
            return f"the lab does not evaluate {f['operator']}"
        if f["operator"] == "EQ" and (not isinstance(f.get("value"), str) or not f["value"]):
            return f"filter on {f['propertyName']}: EQ needs a value"
        return None

    @staticmethod
    def _holds(f: dict, props: dict[str, str | None]) -> bool:
        value = props.get(f["propertyName"])
        if f["operator"] == "HAS_PROPERTY":
            return value not in (None, "")
        return value is not None and value.lower() == f["value"].lower()

    # -- creating -------------------------------------------------------------------------------
    def _call(self, request: Request) -> Answer:
        body = request.json()
        problems: list[str] = []
        props = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(props, dict):
            problems.append("properties: an object is required")
        else:
            stamp = props.get("hs_timestamp")
            if not (isinstance(stamp, int) and stamp > 10**12) and not isinstance(stamp, str):
                problems.append("hs_timestamp: required, Unix milliseconds or an ISO date")
            for name, value in props.items():
                if not isinstance(value, str | int | float) and value is not None:
                    problems.append(f"{name}: a property value is text or a number")
        contact_ids = []
        associations = body.get("associations", []) if isinstance(body, dict) else []
        if not isinstance(associations, list):
            problems.append("associations: a list is required")
            associations = []
        for a in associations:
            target = a.get("to", {}).get("id") if isinstance(a, dict) and isinstance(a.get("to"), dict) else None
            types = a.get("types") if isinstance(a, dict) else None
            if not isinstance(target, str | int) or str(target) not in self.people:
                problems.append(f"association to {target!r}: no such contact")
            elif not isinstance(types, list) or not types or any(
                    not isinstance(t, dict) or t.get("associationCategory") != "HUBSPOT_DEFINED"
                    or t.get("associationTypeId") != _CALL_TO_CONTACT for t in types):
                problems.append(f"association to {target}: types must be HUBSPOT_DEFINED {_CALL_TO_CONTACT} (call to contact)")
            else:
                contact_ids.append(str(target))
        self.record("call", body, problems, contact_ids[0] if contact_ids else None)
        if problems:
            return _error("; ".join(problems))
        return Answer(201, {"id": self.new_id("call", len(self.created)), "properties": props,
                            "createdAt": _STAMP, "updatedAt": _STAMP, "archived": False})

    def _contact(self, request: Request) -> Answer:
        body = request.json()
        props = body.get("properties") if isinstance(body, dict) else None
        problems = [] if isinstance(props, dict) and props else ["properties: an object with at least one value"]
        if not problems and any(not isinstance(v, str) for v in props.values()):
            problems.append("property values are text")
        if problems:
            self.record("contact", body, problems)
            return _error("; ".join(problems))
        vendor_id = self.add_person(Person(f"new-{len(self.people)}", props.get("firstname", ""), props.get("lastname", ""),
                                           props.get("company"), props.get("phone"), props.get("mobilephone")))
        self.record("contact", body, [], vendor_id)
        return Answer(201, {"id": vendor_id, "properties": props, "createdAt": _STAMP, "updatedAt": _STAMP,
                            "archived": False})
