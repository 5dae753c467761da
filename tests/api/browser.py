"""Headless Chromium for the page tests: find it, render offline, read what it did.

Chromium comes from Debian, either installed (``apt-get install chromium``) or unpacked
without root into the cache dir's ``chromium/`` by ``make chromium`` (``apt-get download`` +
``dpkg-deb -x``); ``RISKGRAPH_CHROMIUM`` names another binary. Pages are rendered with the
network cut off (a network namespace where ``unshare`` allows it, and a proxy that goes
nowhere), and Chromium's own net log is kept so a test can show no request left.

``python -m tests.api.browser --check`` says whether Chromium is usable here.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from riskgraph.chromium import (
    QUIET,
    Chromium,
    ChromiumMissing,
    can_unshare_network,
    find_chromium,
)

__all__ = ["Chromium", "ChromiumMissing", "find_chromium"]

ROOT = Path(__file__).resolve().parents[2]
# Schemes that never leave the machine.
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "chrome-untrusted:", "devtools:")


@dataclass(frozen=True)
class Render:
    screenshot: Path
    net_log: Path
    dom: str  # the document after scripts ran (--dump-dom)
    isolated: bool  # ran in its own network namespace: nothing could leave the machine


@dataclass(frozen=True)
class Request:
    url: str
    initiator: str  # "null" for a file:// page, "not an origin" for the browser itself

    @property
    def from_page(self) -> bool:
        return self.initiator != "not an origin"


def render(
    chromium: Chromium,
    page: Path,
    out_dir: Path,
    *,
    size: tuple[int, int] = (1200, 800),
    budget_ms: int = 5000,
) -> Render:
    """Screenshot ``page`` with the network cut off; keeps Chromium's net log beside it."""
    screenshot, net_log = out_dir / "screenshot.png", out_dir / "netlog.json"
    isolated = can_unshare_network()
    command = [
        *(["unshare", "-rn"] if isolated else []),
        str(chromium.binary),
        *QUIET,
        "--hide-scrollbars",
        f"--user-data-dir={out_dir / 'profile'}",
        f"--log-net-log={net_log}",
        "--net-log-capture-mode=Everything",
        f"--window-size={size[0]},{size[1]}",
        f"--virtual-time-budget={budget_ms}",
        f"--screenshot={screenshot}",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    proc = subprocess.run(
        command, env=chromium.env, capture_output=True, text=True, timeout=180, cwd=out_dir
    )
    if proc.returncode != 0 or not screenshot.exists():
        raise RuntimeError(f"chromium failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return Render(screenshot, net_log, proc.stdout, isolated)


def url_requests(net_log: Path) -> list[Request]:
    """Every request Chromium's network stack started, from its net log.

    Loads of file:// pages do not go through the network stack, so an offline page leaves
    none of its own; Chromium's housekeeping (component updates, network time, spelling
    dictionaries) shows with initiator "not an origin" and fails behind the dead proxy.
    """
    text = net_log.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # not shut down cleanly: the closing brackets are missing
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    return [
        Request(event["params"]["url"], str(event["params"].get("initiator")))
        for event in log.get("events", [])
        if names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in event.get("params", {})
    ]


def page_requests(net_log: Path) -> list[str]:
    """URLs the page itself asked for that are not local (must be none for our pages)."""
    return [
        r.url for r in url_requests(net_log) if r.from_page and not r.url.startswith(LOCAL_SCHEMES)
    ]


def read_png(path: Path) -> npt.NDArray[np.uint8]:
    """An 8-bit RGB(A) PNG as a (height, width, channels) array; zlib + numpy, no Pillow."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos, idat = 8, bytearray()
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour})")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(bytes(idat)), dtype=np.uint8)
    raw = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        filt, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if filt == 0:
            row = line
        elif filt == 1:  # Sub: a running sum per channel
            row = np.cumsum(line.reshape(width, channels), axis=0).reshape(stride) & 0xFF
        elif filt == 2:  # Up
            row = (line + previous) & 0xFF
        else:  # Average and Paeth depend on the byte just decoded: byte by byte
            row = _unfilter_slow(int(filt), line.tolist(), previous.tolist(), channels)
        out[y] = row
        previous = row.astype(np.int32)
    return out.reshape(height, width, channels)


def _unfilter_slow(filt: int, line: list[int], above: list[int], bpp: int) -> npt.NDArray[np.int32]:
    row = [0] * len(line)
    for i, value in enumerate(line):
        a = row[i - bpp] if i >= bpp else 0
        b = above[i]
        if filt == 3:
            row[i] = (value + (a + b) // 2) & 0xFF
        else:
            c = above[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            row[i] = (value + pred) & 0xFF
    return np.array(row, dtype=np.int32)


def count_colour(image: npt.NDArray[np.uint8], hex_colour: str, tolerance: int = 12) -> int:
    """How many pixels are within ``tolerance`` (per channel) of ``#rrggbb``."""
    target = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    diff = np.abs(image[..., :3].astype(np.int16) - target)
    return int(np.count_nonzero((diff <= tolerance).all(axis=-1)))


def _main(argv: list[str]) -> int:
    try:
        chromium = find_chromium()
    except ChromiumMissing as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    version = subprocess.run(
        [str(chromium.binary), "--version"], env=chromium.env, capture_output=True, text=True
    ).stdout.strip()
    isolation = "unshare -rn" if can_unshare_network() else "proxy only (no unshare)"
    print(json.dumps({"chromium": str(chromium.binary), "version": version, "net": isolation}))  # noqa: T201
    return 0 if "--check" in argv or not argv else 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
