"""Chromium for the demo: headed where a display exists, else headless; tabs and screenshots by CDP.

Started by the lab's launcher, headless only when asked: the demo shows the browser where it
can, the tests never do.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from ucc_webhooks_dev.lab import browser as lab_browser

__all__ = ["display_available", "element_clip", "page_tabs", "save_screenshot", "start_chromium"]


def display_available() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def start_chromium(profile_dir: Path, extension_dir: Path, env: dict[str, str], log_path: Path,
                   headless: bool) -> lab_browser.BrowserSession:
    """Chromium with the extension and `profile_dir`; `env` reaches the host the browser starts."""
    return lab_browser.chromium(profile_dir, extension_dir, env=env, log_path=log_path, headless=headless)


def page_tabs(driver: Any) -> dict[str, str]:
    """Every tab of the browser, id -> URL, without switching to any (ids are Selenium's handles)."""
    targets = driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]
    return {t["targetId"]: t.get("url", "") for t in targets if t.get("type") == "page"}


def save_screenshot(driver: Any, path: Path, clip: dict | None = None) -> Path:
    """Screenshot of the current tab: the viewport, or `clip` (page coordinates, may reach below it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if clip is None:
        driver.save_screenshot(str(path))
        return path
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def element_clip(driver: Any, css: str, margin: int = 8) -> dict:
    """The page area of the first element matching `css`, with a margin."""
    rect = driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};", css)
    return {"x": max(rect["x"] - margin, 0), "y": max(rect["y"] - margin, 0),
            "width": rect["width"] + 2 * margin, "height": rect["height"] + 2 * margin}
