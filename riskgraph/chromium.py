"""Headless Chromium, where one is installed: the web app's PDF of a company file is its
printable page printed by Chromium (and the browser tests drive the same binary).

Found as ``RISKGRAPH_CHROMIUM`` (settings.chromium), else unpacked without root into the cache dir's
``chromium/`` by ``make chromium``, else a ``chromium`` on PATH (``apt-get install
chromium``). Pages are printed with the network cut off: a network namespace where
``unshare`` allows it, and a proxy that goes nowhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from riskgraph.errors import RiskgraphError
from riskgraph.settings import Settings

SETUP_HINT = (
    "headless Chromium is needed: run `make chromium` (downloads the Debian chromium "
    "packages into the cache dir's chromium/, no root), or `apt-get install chromium`, or set "
    "RISKGRAPH_CHROMIUM to a chromium binary"
)
# Flags that keep Chromium from calling home (updates, sync, metrics) and from the network.
QUIET = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)


class ChromiumMissing(RiskgraphError):
    """No usable Chromium (the message says how to get one)."""


@dataclass(frozen=True)
class Chromium:
    binary: Path
    env: dict[str, str]


def cache_root(settings: Settings | None = None) -> Path:
    """Where ``make chromium`` unpacks Chromium (shared by every checkout)."""
    return (settings or Settings()).cache_dir / "chromium"


def find_chromium(settings: Settings | None = None) -> Chromium:
    """The Chromium to use, with the environment it needs; ChromiumMissing if none works.
    Checked once per binary and cache dir (a running server does not start
    ``chromium --version`` for every PDF)."""
    settings = settings or Settings()
    return _find(settings.chromium, cache_root(settings))


@cache
def _find(explicit: Path | None, root: Path) -> Chromium:
    env = dict(os.environ)
    cached = root / "usr" / "lib" / "chromium" / "chromium"
    if explicit:
        binary = Path(explicit)
    elif cached.exists():
        binary = cached
        libs = [str(p) for p in sorted((root / "usr" / "lib").glob("*-linux-gnu"))]
        libs += [str(p / "pulseaudio") for p in map(Path, libs) if (p / "pulseaudio").is_dir()]
        env["LD_LIBRARY_PATH"] = os.pathsep.join([*libs, env.get("LD_LIBRARY_PATH", "")])
        env["FONTCONFIG_FILE"] = str(_fontconfig(root))
    else:
        found = next(
            (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
        )
        if found is None:
            raise ChromiumMissing(SETUP_HINT)
        binary = Path(found)
    try:
        proc = subprocess.run(
            [str(binary), "--version"], env=env, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ChromiumMissing(f"{binary} does not run ({exc}); {SETUP_HINT}") from exc
    if proc.returncode != 0:
        raise ChromiumMissing(f"{binary} --version failed: {proc.stderr.strip()}; {SETUP_HINT}")
    return Chromium(binary, env)


def _fontconfig(root: Path) -> Path:
    """A fontconfig file adding the cache's fonts (a CJK one) to the system's; kept in
    the cache dir (the user's own), written whole or not at all."""
    path = root / "fonts.conf"
    text = (
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{root / 'usr' / 'share' / 'fonts'}</dir>"
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include></fontconfig>'
    )
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        with tempfile.NamedTemporaryFile("w", dir=root, delete=False, encoding="utf-8") as out:
            out.write(text)
        Path(out.name).replace(path)
    return path


@cache
def can_unshare_network() -> bool:
    """Whether ``unshare -rn`` works here (a user namespace without network)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    proc = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=30)
    return proc.returncode == 0


def print_pdf(chromium: Chromium, html: str, timeout_s: float = 120) -> bytes:
    """``html`` (a self-contained page) printed to PDF with the network cut off."""
    with tempfile.TemporaryDirectory(prefix="riskgraph-pdf-") as tmp:
        work = Path(tmp)
        page, out = work / "page.html", work / "page.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            *(["unshare", "-rn"] if can_unshare_network() else []),
            str(chromium.binary),
            *QUIET,
            f"--user-data-dir={work / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(
                command,
                env=chromium.env,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                cwd=work,
            )
        except subprocess.TimeoutExpired as exc:
            raise RiskgraphError(f"chromium did not print within {timeout_s:.0f} s") from exc
        if proc.returncode != 0 or not out.exists():
            raise RiskgraphError(
                f"chromium could not print ({proc.returncode}): {proc.stderr[-800:]}"
            )
        return out.read_bytes()
