"""What the host does with a request or a call event, between the wire (`native/`) and the layers
below it (`engine/`, `storage/`, `delivery/`).

`app.App` puts the parts together: `state` (settings and the administrator's switch as of now),
`call_events` (a call event: conditions, plan, one durable commit, then the sender), `outcomes`
(what the sender reports back: a delivery changed, a 410, may this still go), `webhooks`,
`deliveries` and `settings` (one module per kind of request), `last_calls` (the last real call
per trigger, for "test"). Refusals are `engine.errors.Refusal`s; which wire code each becomes is
decided in `native/`. The command line uses this package too (`ucc-webhooks test`).
"""
