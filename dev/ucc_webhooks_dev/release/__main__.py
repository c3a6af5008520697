"""`python -m ucc_webhooks_dev.release [DIST]` (what `make dist` runs) writes into DIST (default dist/):

- the wheel and the sdist (`python -m build`; the wheel carries extension/ and manifests/, see setup.py),
- `ucc-webhooks-<version>-store.zip` for the Chrome Web Store and Edge Add-ons: the extension with
  its manifest at the root and without `key` (the store assigns the id),
- `ucc-webhooks-<version>-firefox.zip` from `web-ext build` (gecko id in the manifest), which
  addons.mozilla.org signs; `web-ext lint` must find no errors first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ucc_webhooks.constants import VERSION
from ucc_webhooks.release.bundle import stage_extension, zip_folder

REPO = Path(__file__).resolve().parents[3]


def build(dist: Path) -> dict[str, Path]:
    dist.mkdir(parents=True, exist_ok=True)
    for old in dist.glob("ucc_webhooks-*"):
        old.unlink()
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], check=True)
    out = {"wheel": next(dist.glob(f"ucc_webhooks-{VERSION}-*.whl")), "sdist": dist / f"ucc_webhooks-{VERSION}.tar.gz"}
    with tempfile.TemporaryDirectory(prefix="ucc-webhooks-dist-") as tmp:
        staged = Path(tmp) / "extension"
        stage_extension(staged, (), REPO / "extension")
        out["store"] = zip_folder(staged, dist / f"ucc-webhooks-{VERSION}-store.zip")
        lint = subprocess.run(["npx", "--no-install", "web-ext", "lint", "--source-dir", str(staged), "--output", "json"],
                              cwd=REPO, capture_output=True, text=True)
        report = json.loads(lint.stdout or "{}")
        if lint.returncode != 0 or report.get("errors"):
            raise SystemExit(f"web-ext lint found errors: {json.dumps(report.get('errors'), indent=2)}")
        artifacts = Path(tmp) / "web-ext"
        subprocess.run(["npx", "--no-install", "web-ext", "build", "--source-dir", str(staged), "--artifacts-dir",
                        str(artifacts), "--overwrite-dest"], cwd=REPO, check=True, capture_output=True)
        built = next(artifacts.glob("*.zip"))
        out["firefox"] = dist / f"ucc-webhooks-{VERSION}-firefox.zip"
        shutil.move(str(built), out["firefox"])
    return out


def main(argv: list[str]) -> int:
    dist = Path(argv[0]) if argv else REPO / "dist"
    for what, path in build(dist).items():
        print(f"{what:<8} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
