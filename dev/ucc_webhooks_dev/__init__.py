"""Development tools of UCC Webhooks, never installed for users: the demo, the benchmarks and the
telephony test lab. `scripts/setup` installs this package (editable) into the checkout's `.venv`.
"""
