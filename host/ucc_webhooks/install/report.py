"""What `install` / `uninstall` tell the user: a line per file as it happens, or one JSON object.

The text lines are for a person at a terminal; `--json` is for the roll-out script that runs the
same command on five hundred desktops and must know, per file and registry key, what happened.
Both come from the same calls, so they cannot disagree.

    {"command": "install", "ok": true, "exit_code": 0,
     "items": [{"who": "launcher", "status": "written", "path": "...", "detail": "..."}, ...],
     "notes": ["..."], "message": "Done. ...", "error": null}
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["Report"]


class Report:
    def __init__(self, command: str, as_json: bool = False) -> None:
        self.command = command
        self.as_json = as_json
        self.items: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.message: str | None = None
        self.error: str | None = None

    def line(self, who: str, status: str, what: object, detail: str = "") -> None:
        """One file, folder or registry key: `status` is written, removed, absent, kept, FAILED,
        skipped, warning, or a sandbox kind (snap, flatpak)."""
        self.items.append({"who": who, "status": status, "path": str(what), "detail": detail or None})
        if not self.as_json:
            print(f"{who:<9} {status:<9} {what}" + (f"  ({detail})" if detail else ""))

    def note(self, text: str) -> None:
        """An explanation that belongs under the line before it."""
        self.notes.append(text)
        if not self.as_json:
            print(f"{'':<20}{text}")

    def done(self, text: str) -> None:
        self.message = text
        if not self.as_json:
            print(text)

    def fail(self, text: str, *more: str) -> None:
        """An error that stops the command; `more` are the lines that say what to do."""
        self.error = " ".join([text, *more])
        if not self.as_json:
            for part in (text, *more):
                print(part, file=sys.stderr)

    def finish(self, exit_code: int) -> int:
        if self.as_json:
            print(json.dumps({
                "command": self.command,
                "ok": exit_code == 0,
                "exit_code": exit_code,
                "items": self.items,
                "notes": self.notes,
                "message": self.message,
                "error": self.error,
            }, indent=2, ensure_ascii=False))
        return exit_code
