"""The browser-facing side: frames on stdin/stdout, request shapes, one handler per type.

`serve` reads frames, `protocol` validates requests, `handlers` answers them by calling the engine,
the storage and the delivery layer. Nothing below this package knows about frames.
"""
