"""Sending what the outbox holds: one `httpx.AsyncClient`, retries with backoff, signatures."""
