"""`make bench`: latency and footprint against a floor measured in the same run (`python -m ucc_webhooks_dev.bench`)."""
