"""How deep parsed JSON may nest: frames and the policy file are refused beyond it.

No message of the protocol and no policy nests more than a few levels; deeper input would only
reach code that recurses (json, pydantic), where Python's recursion limit would end the host.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MAX_DEPTH", "too_deep"]

MAX_DEPTH = 64


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether a parsed JSON value nests deeper than `limit`; iterative, so it cannot recurse itself."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[object] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
