"""The Windows launcher's executable part, run for real: distlib's stub under Wine, below `C:\\users\\Jürgen`.

tests/test_install_platforms.py runs the launcher's archive with the local Python, as the stub
would start it. This test runs the stub itself (the bytes `install` writes, unchanged): it must
decode our UTF-8 `#!` line, start the program it names in a folder with a non-ASCII letter, and
hand it its own path and the browser's arguments. There is no Windows Python here, so the
program it names is a stand-in: another copy of the stub whose `#!` line runs `cmd.exe /c echo`,
which prints the command line it was given.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from ucc_webhooks.install import winlauncher

WINE = shutil.which("wine64") or "/usr/lib/wine/wine64"


@pytest.fixture(scope="module")
def wine(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("wineprefix")
    env = {**os.environ, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all"}
    yield env, prefix / "drive_c"
    subprocess.run([shutil.which("wineserver") or "/usr/lib/wine/wineserver", "-k"], env=env, capture_output=True, timeout=60)
    shutil.rmtree(prefix, ignore_errors=True)  # a Wine prefix is several hundred MB


def test_the_stub_starts_the_python_it_names_below_a_non_ascii_folder(wine):
    env, drive_c = wine
    folder = drive_c / "users" / "Jürgen" / "AppData" / "Local" / "ucc-webhooks" / "native-host"
    folder.mkdir(parents=True)
    python = r"C:\users\Jürgen\AppData\Local\Programs\Python\python.exe"
    stand_in = drive_c / "users" / "Jürgen" / "AppData" / "Local" / "Programs" / "Python" / "python.exe"
    stand_in.parent.mkdir(parents=True)
    stub = resources.files("distlib").joinpath(winlauncher.stub_name("AMD64")).read_bytes()
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("__main__.py", "")
    stand_in.write_bytes(stub + b'#!"C:\\windows\\system32\\cmd.exe" /c echo STARTED WITH\r\n' + empty.getvalue())
    launcher = folder / "ucc-webhooks-host.exe"
    launcher.write_bytes(winlauncher.build(python))

    origin = "chrome-extension://amlncininjibhhckajeabpanpcfpeeig/"
    done = subprocess.run([WINE, r"C:\users\Jürgen\AppData\Local\ucc-webhooks\native-host\ucc-webhooks-host.exe",
                           origin, "--parent-window=0"], env=env, capture_output=True, timeout=120, cwd=Path(drive_c))
    # cmd.exe writes in the console's ANSI code page (Wine: 1252), where ü is one byte.
    out = done.stdout.decode("cp1252")
    assert done.returncode == 0, (out, done.stderr.decode(errors="replace")[-2000:])
    assert out.split("\r\n")[0] == (f'STARTED WITH "{python}" '
                                    r'"C:\users\Jürgen\AppData\Local\ucc-webhooks\native-host\ucc-webhooks-host.exe" '
                                    f"{origin} --parent-window=0")
