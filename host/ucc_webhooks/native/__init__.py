"""The browser-facing side: frames on stdin/stdout, request shapes, one handler per type.

`serve` reads frames (`framing`) and answers them, `callers` says which extension may start the
host, `protocol` validates requests, `dispatch` hands each to the service (`service/`), `hello`
the first reply, `replies` the envelopes and error codes. Nothing here decides what happens to a
call event or a webhook, and nothing below this package knows about frames.
"""
