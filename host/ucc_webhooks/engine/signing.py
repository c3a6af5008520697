"""Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["generate_secret", "sign", "standard_headers"]

PREFIX = "whsec_"


def generate_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret[len(PREFIX):] if secret.startswith(PREFIX) else secret)
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def standard_headers(headers: dict[str, str], msg_id: str, secret: str | None, body: bytes | None,
                     timestamp: int) -> dict[str, str]:
    """Every background request's headers: `webhook-id` (the same on every retry), `webhook-timestamp`,
    and with a secret `webhook-signature`."""
    out = {**headers, "webhook-id": msg_id, "webhook-timestamp": str(timestamp)}
    if secret:
        out["webhook-signature"] = sign(secret, msg_id, timestamp, body or b"")
    return out
