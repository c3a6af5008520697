"""The four CRMs the presets speak to, as real HTTP servers on 127.0.0.1, and the presets pointed
at them: `with VENDORS["HubSpot"](token="t") as crm: webhook = point_at(preset, crm)`.

Each server (`crm_hubspot`, `crm_pipedrive`, `crm_zoho`, `crm_salesforce`, on the ground of
`crm_server`) searches the way its vendor documents against people stored in several number
formats (`crm_server.PEOPLE`, one of them named with `"`, `\\`, `{` and `}`), answers a hit, no
hit (Zoho: `204 No Content`), a wrong token (`401` in the vendor's shape), stalls its search on
request (`crm.stall = True`: it never answers), and takes the create and log requests of the
presets, recording each with what its checks of the vendor's required fields and association
shapes found (`crm.created`); a body the vendor would refuse gets the vendor's error status.
"""

from __future__ import annotations

from ucc_webhooks_dev.lab.crm_hubspot import HubSpot
from ucc_webhooks_dev.lab.crm_pipedrive import Pipedrive
from ucc_webhooks_dev.lab.crm_salesforce import Salesforce
from ucc_webhooks_dev.lab.crm_server import PEOPLE, CrmServer, Person
from ucc_webhooks_dev.lab.crm_zoho import Zoho

__all__ = ["API_BASES", "PEOPLE", "VENDORS", "CrmServer", "Person", "point_at"]

#: preset vendor -> the lab server class
VENDORS: dict[str, type[CrmServer]] = {"HubSpot": HubSpot, "Pipedrive": Pipedrive, "Zoho": Zoho,
                                       "Salesforce": Salesforce}

#: preset vendor -> the API address its presets send to (the lab's address replaces it)
API_BASES = {"HubSpot": "https://api.hubapi.com", "Pipedrive": "https://api.pipedrive.com",
             "Zoho": "https://www.zohoapis.com", "Salesforce": "https://your-domain.my.salesforce.com"}

_FIELDS = ("name", "trigger", "action", "url", "headers", "content_type", "body", "response_map", "conditions",
           "contact_hosts", "fallback_url")


def point_at(preset: dict, crm: CrmServer, token: str | None = None) -> dict:
    """The webhook a preset makes, sending to `crm` instead of the vendor, with `token` (the
    server's own by default) where the preset has `<...>`; web app URLs (the record, the
    fallback) stay as they are: the host only opens those."""
    import re

    webhook = {k: preset[k] for k in _FIELDS if k in preset}
    base = API_BASES[preset["vendor"]]
    if webhook["url"].startswith(base):
        webhook["url"] = crm.base + webhook["url"][len(base):]
    secret = crm.token if token is None else token
    webhook["headers"] = {name: re.sub(r"<[^>]*>", secret, value) for name, value in preset["headers"].items()}
    return webhook
