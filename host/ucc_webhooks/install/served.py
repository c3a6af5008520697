"""doctor's view of `native.callers`: which extension ids the host serves, and who was refused."""

from __future__ import annotations

import shlex

from ucc_webhooks.native.callers import read_callers, read_refused
from ucc_webhooks.paths import data_dir

__all__ = ["id_links"]


def id_links(link_type: type) -> list:
    """One note with the served ids, one failure per extension the host refused that is still
    not allowed (an extension with another id than the one installed: a store or enterprise build)."""
    callers, source = read_callers()
    served = [*callers["allowed_origins"], *callers["allowed_extensions"]]
    where = f"from {source}" if source else "no ids file: the ids this project ships"
    links = [link_type("host", "ids", None, f"serves {', '.join(served)} ({where})")]
    for caller, when in read_refused(data_dir()).items():
        if caller in served:
            continue
        bare = caller.removeprefix("chrome-extension://").rstrip("/")
        again = " ".join(f"--extension-id {shlex.quote(i.removeprefix('chrome-extension://').rstrip('/'))}"
                         for i in [*served, caller])
        links.append(link_type("host", "ids", False,
                               f"an extension with id {bare} tried to connect ({when}) and was refused: "
                               "its id is not among those installed",
                               f"if it is yours (a store or enterprise build), run `ucc-webhooks install {again}`",
                               "forbidden"))
    return links
