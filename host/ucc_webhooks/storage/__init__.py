"""The one SQLite database: webhooks and settings (`database`), the delivery outbox and log (`outbox`)."""
