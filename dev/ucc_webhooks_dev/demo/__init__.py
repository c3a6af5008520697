"""`make demo`: the whole product on this machine, three calls, narrated (`python -m ucc_webhooks_dev.demo`)."""
