"""A small CRM on 127.0.0.1 for the CRM loop's browser tests: a search by phone, contact records
the browser opens, a call log; the lab's `Receiver` records every request and waits for them."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass

from ucc_webhooks_dev.lab.receiver import ReceivedRequest, Receiver

__all__ = ["Crm", "CrmRequest"]


@dataclass(frozen=True)
class CrmRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @classmethod
    def of(cls, request: ReceivedRequest) -> CrmRequest:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.raw_path).query))
        return cls(request.method, request.path, query, request.headers, request.body)

    def json(self) -> dict:
        return json.loads(self.body)


class Crm:
    """A CRM on 127.0.0.1 as a lookup and a call log see it: a search by phone (JSON), contact
    records (pages, for the browser), a call log (POST); every request recorded. It knows one
    contact, `known` (the number as searched, id, name, company)."""

    def __init__(self, known: tuple[str, str, str, str]) -> None:
        phone, contact_id, name, company = known

        def answer(method: str, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
            if path == "/api/search":
                found = query.get("phone") == [phone]
                results = [{"id": contact_id, "properties": {"name": name, "company": company}}] if found else []
                return 200, "application/json", json.dumps({"results": results}).encode()
            if path == "/api/calls":
                return 201, "application/json", b'{"id": "call-1"}'
            return 200, "text/html", f"<!doctype html><title>CRM {path}</title>".encode()  # /login, /contacts/<id>

        self._receiver = Receiver(answer=answer)

    def url(self, path: str) -> str:
        return self._receiver.url(path)

    def wait_for(self, path: str, count: int = 1, timeout: float = 15.0) -> list[CrmRequest]:
        return [CrmRequest.of(r) for r in self._receiver.wait_for(count, timeout, path=path)]

    def __enter__(self) -> Crm:
        self._receiver.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._receiver.stop()
