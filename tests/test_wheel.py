"""What `pipx install .` puts on a user's desktop: the runtime package only (host, CLI,
install/doctor), typed, and none of the development tools (demo, benchmarks, test lab)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_the_runtime_only(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("ucc_webhooks-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packages = {n.split("/")[0] for n in names if not n.startswith("ucc_webhooks-")}
    assert packages == {"ucc_webhooks"}, packages
    assert "ucc_webhooks/py.typed" in names
    for layer in ("native", "engine", "storage", "delivery", "install", "cli"):
        assert f"ucc_webhooks/{layer}/__init__.py" in names, layer
    dev_bits = [n for n in names if any(w in n for w in ("demo", "bench", "lab/", "selenium"))]
    assert not dev_bits, dev_bits
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    # the Windows launcher's stub (install/winlauncher.py): a dependency on Windows only
    assert [r for r in requires if r.startswith("distlib")] == ['distlib>=0.3.8; sys_platform == "win32"'], requires
    assert "ucc_webhooks/install/winlauncher.py" in names
