"""CRX3 packages, signed by Chromium's own packer (`--pack-extension`), and the id they carry.

The id of a packed extension is the first 16 bytes of sha256 over its DER public key, written in
hex with the digits 0-f mapped to a-p. A CRX3 file states it in its signed header, and carries the
public key beside it; `crx_id` reads both from the file and checks that they agree, so no crypto
library is needed to learn the id of a key.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

__all__ = ["CHROMIUM_BINARIES", "crx_id", "find_chromium", "id_from_public_key", "pack_crx"]

CHROMIUM_BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge",
                     "microsoft-edge-stable", "chrome")


def id_from_public_key(der: bytes) -> str:
    return "".join(chr(ord("a") + int(c, 16)) for c in hashlib.sha256(der).hexdigest()[:32])


def _fields(data: bytes):
    """(field number, value) of a protobuf message; only the wire types CRX3 headers use."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
            yield number, value
        elif wire == 2:
            length, i = _varint(data, i)
            yield number, data[i : i + length]
            i += length
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _bytes(message: bytes, number: int) -> bytes:
    found = next((v for n, v in _fields(message) if n == number and isinstance(v, bytes)), None)
    if found is None:
        raise ValueError(f"CRX header lacks field {number}")
    return found


def crx_id(path: Path) -> str:
    """The extension id a CRX3 file installs as. Raises ValueError for anything but a CRX3."""
    data = path.read_bytes()
    if data[:4] != b"Cr24" or struct.unpack("<I", data[4:8])[0] != 3:
        raise ValueError(f"{path} is not a CRX3 file")
    (size,) = struct.unpack("<I", data[8:12])
    header = data[12 : 12 + size]
    keys = [_bytes(proof, 1) for n, proof in _fields(header) if n in (2, 3) and isinstance(proof, bytes)]
    stated = "".join(chr(ord("a") + int(c, 16)) for c in _bytes(_bytes(header, 10000), 1).hex())
    if stated not in {id_from_public_key(k) for k in keys}:
        raise ValueError(f"{path}: the id in its header matches none of its keys")
    return stated


def find_chromium(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    for name in CHROMIUM_BINARIES:
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError("no Chromium, Chrome or Edge found to sign the CRX; name one with --chromium PATH")


def pack_crx(folder: Path, key: Path, out: Path, chromium: str) -> None:
    """Sign `folder` with `key` into `out`. Without `key` Chromium makes one: it is kept at `key`
    (mode 0600). Chromium writes `<folder>.crx` (and `<folder>.pem`) beside the folder."""
    with tempfile.TemporaryDirectory(prefix="ucc-webhooks-pack-") as tmp:
        staged = Path(tmp) / "extension"
        shutil.copytree(folder, staged)
        cmd = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={Path(tmp) / 'profile'}",
               f"--pack-extension={staged}"]
        if key.exists():
            cmd.append(f"--pack-extension-key={key}")
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        crx = Path(tmp) / "extension.crx"
        if not crx.is_file():
            raise RuntimeError(f"{chromium} did not write a CRX: {(done.stderr or done.stdout).strip()[-400:]}")
        if not key.exists():
            key.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write((Path(tmp) / "extension.pem").read_bytes())
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(crx), out)
        os.chmod(out, 0o644)  # served to every desktop; only the key is secret
