"""The embedded-default Neo4j: build the launcher, start, stop and report on the server.

The server is Neo4j 5.26 Community run in-process by a small Java launcher
(``riskgraph/graph/launcher``) resolved from Maven Central. One server per directory:
its pid file and Neo4j's own store lock keep a second one from starting on the same data.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from riskgraph.errors import ConfigError, Neo4jUnavailable, QueryFailed, ServerError
from riskgraph.graph.credentials import password_for
from riskgraph.settings import Settings

LAUNCHER_SOURCE = Path(__file__).resolve().parent / "launcher"
LAUNCHER_MAIN = "riskgraph.launcher.Launcher"

# The APOC procedures and functions riskgraph calls (cypher/apoc_version.cypher): with
# RISKGRAPH_NEO4J_APOC on, Neo4j loads these and no others (dbms.security.procedures.allowlist;
# docker-compose.yml says the same). tests/graph/test_server_config.py checks nothing else is
# called.
APOC_ALLOWLIST: tuple[str, ...] = ("apoc.version",)

# The JVM flags Neo4j's packaged server passes (conf/neo4j.conf, server.jvm.additional).
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


@dataclass(frozen=True)
class ServerStatus:
    uri: str
    running: bool
    embedded: bool
    pid: int | None = None
    home: Path | None = None
    version: str | None = None
    edition: str | None = None
    apoc: str | None = None
    nodes: int | None = None
    relationships: int | None = None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) is not running.
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            return stat.read_text().split(") ", 1)[1][0] != "Z"
        except (OSError, IndexError):
            return True
    return True


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for tests and side-by-side servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def is_loopback(host: str) -> bool:
    """Whether ``host`` only reaches this machine: a loopback literal, or a name whose every
    address is loopback (a name that does not resolve is not)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def _check_pem(path: Path, variable: str, what: str, marker: str) -> None:
    """A readable PEM file of the right kind, so a typo is named here and not in Neo4j's log."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise ConfigError(
            f"{variable}={path} cannot be read ({exc.strerror}): point it at the PEM {what}"
        ) from exc
    if marker not in text:
        raise ConfigError(f"{variable}={path} holds no PEM {what} ({marker} not found)")
    if "ENCRYPTED PRIVATE KEY" in text:
        raise ConfigError(
            f"{variable}={path} is encrypted: give Neo4j an unencrypted PKCS#8 key "
            "(`openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`), readable by you only"
        )


def check_config(settings: Settings) -> None:
    """Refuse, before anything starts, an embedded server that would run without a password
    or answer beyond this machine in plaintext. Also makes the password on first use."""
    password_for(settings)  # ConfigError when empty; generated (0600) when there is none
    cert, key = settings.neo4j_tls_cert, settings.neo4j_tls_key
    if (cert is None) != (key is None):
        present, missing = (
            ("RISKGRAPH_NEO4J_TLS_CERT", "RISKGRAPH_NEO4J_TLS_KEY")
            if key is None
            else ("RISKGRAPH_NEO4J_TLS_KEY", "RISKGRAPH_NEO4J_TLS_CERT")
        )
        raise ConfigError(
            f"Bolt TLS needs a certificate and its key: {present} is set, {missing} is not. "
            "Set both, or neither"
        )
    if cert is not None and key is not None:
        _check_pem(cert, "RISKGRAPH_NEO4J_TLS_CERT", "certificate", "BEGIN CERTIFICATE")
        _check_pem(key, "RISKGRAPH_NEO4J_TLS_KEY", "private key", "PRIVATE KEY-----")
    elif not is_loopback(settings.neo4j_host):
        raise ConfigError(
            f"RISKGRAPH_NEO4J_HOST={settings.neo4j_host} is not a loopback address, and without "
            "TLS Neo4j would take passwords and data in plaintext from the network. Either "
            "unset RISKGRAPH_NEO4J_HOST (it listens on 127.0.0.1; reach it from elsewhere "
            "through an SSH tunnel), or configure Bolt TLS: set RISKGRAPH_NEO4J_TLS_CERT and "
            "RISKGRAPH_NEO4J_TLS_KEY to a PEM certificate and its PKCS#8 key (README, "
            "Configuration)"
        )


_UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}


def tx_memory(settings: Settings) -> str:
    """RISKGRAPH_NEO4J_TX_MEMORY as a size Neo4j reads (a share of the heap in megabytes)."""
    value = settings.neo4j_tx_memory
    if not value.endswith("%"):
        return value
    heap = int(settings.neo4j_heap[:-1]) * _UNITS[settings.neo4j_heap[-1].lower()]
    return f"{heap * int(value[:-1]) // 100 // 1024**2}m"


def _launcher_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(LAUNCHER_SOURCE.rglob("*")):
        if path.is_file() and path.suffix in {".xml", ".java"}:
            digest.update(path.relative_to(LAUNCHER_SOURCE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def launcher_build_dir(settings: Settings) -> Path:
    """Where this version of the launcher is built: shared by every data dir."""
    return (settings.cache_dir / "launcher" / _launcher_digest()).resolve()


def build_launcher(settings: Settings) -> Path:
    """Compile the launcher and resolve Neo4j + APOC with Maven, unless already built.

    Builds into a temporary sibling and renames it into place, so an interrupted build
    never looks finished.
    """
    target = launcher_build_dir(settings)
    if (target / "classpath.txt").is_file():
        return target
    if shutil.which(settings.mvn) is None:
        raise ConfigError(f"Maven ({settings.mvn}) not found: install Maven and JDK 17+")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f"{target.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        settings.mvn,
        "-q",
        "-B",
        "-f",
        str(LAUNCHER_SOURCE / "pom.xml"),
        f"-Dbuild.dir={staging}",
        "compile",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        output = (result.stdout + result.stderr).strip().splitlines()[-30:]
        raise ServerError("building the Neo4j launcher failed:\n" + "\n".join(output))
    try:
        staging.rename(target)
    except OSError:  # another process finished the same build first
        shutil.rmtree(staging, ignore_errors=True)
    return target


class EmbeddedServer:
    """Lifecycle of the local Neo4j that lives in ``settings.neo4j_dir``."""

    def __init__(self, settings: Settings) -> None:
        if not settings.embedded:
            raise ConfigError(
                f"NEO4J_URI is set ({settings.neo4j_uri}): riskgraph uses that server "
                "and does not start one"
            )
        self.settings = settings
        self.home = settings.neo4j_dir.resolve()
        self.pid_file = self.home / "riskgraph-neo4j.pid"
        self.log_file = self.home / "logs" / "launcher.log"
        self.build_dir = launcher_build_dir(settings)
        self.uri = settings.bolt_uri
        self._process: subprocess.Popen[bytes] | None = None  # set when this object started it
        self._last_error: str | None = None  # why Bolt did not answer, for the time-out message

    # --- build ------------------------------------------------------------------------
    def build(self) -> Path:
        """Resolve Neo4j from Maven Central and compile the launcher, once per source version."""
        return build_launcher(self.settings)

    def classpath(self) -> str:
        parts = [str(self.build_dir / "classes")]
        parts += (self.build_dir / "classpath.txt").read_text().strip().split(os.pathsep)
        if self.settings.neo4j_apoc:
            # Embedded Neo4j finds APOC's extension factory on the classpath, and its
            # procedures in plugin_dir: APOC has to be in both.
            parts.append(str(self.build_dir / "plugins" / "*"))
        return os.pathsep.join(parts)

    # --- state ------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The pid of this directory's running server, or None (clearing a stale pid file)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if _pid_alive(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def _driver(self) -> neo4j.Driver:
        return neo4j.GraphDatabase.driver(
            self.uri,
            auth=(self.settings.neo4j_user, password_for(self.settings)),
            connection_timeout=2.0,
        )

    def answers(self) -> bool:
        """Whether Bolt answers ``RETURN 1`` right now (one try, no retries)."""
        try:
            with self._driver() as driver, driver.session() as session:
                return bool(session.run("RETURN 1 AS ok").single(strict=True)["ok"] == 1)
        except (DriverError, Neo4jError, OSError) as exc:
            self._last_error = str(exc) or type(exc).__name__
            return False

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> tuple[ServerStatus, bool]:
        """Start the server and wait for Bolt; returns (status, whether it was started now).

        Checks the configuration first (check_config): a refused one starts nothing."""
        check_config(self.settings)
        running = self.pid()
        if running is not None:
            self._wait_ready(running, None)
            return self.status(), False
        host, port = self.settings.neo4j_host, self.settings.neo4j_port
        if port_in_use(host, port):
            raise ConfigError(
                f"port {port} on {host} is already in use by another process "
                f"(not a riskgraph Neo4j of {self.home}): stop it or set RISKGRAPH_NEO4J_PORT"
            )
        if shutil.which(self.settings.java) is None:
            raise ConfigError(f"Java ({self.settings.java}) not found: install JDK 17+")
        self.build()
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [
            self.settings.java,
            f"-Xms{self.settings.neo4j_heap}",
            f"-Xmx{self.settings.neo4j_heap}",
            *JVM_FLAGS,
            *self._properties(),
            "-cp",
            self.classpath(),
            LAUNCHER_MAIN,
        ]
        env = {**os.environ, "RISKGRAPH_NEO4J_INITIAL_PASSWORD": password_for(self.settings)}
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.home,
                start_new_session=True,  # survives the CLI; SIGINT at the shell won't kill it
            )
        self._process = process
        self.pid_file.write_text(str(process.pid))
        self._wait_ready(process.pid, process)
        return self.status(), True

    def _properties(self) -> list[str]:
        """The launcher's settings (system properties; the password goes in its environment)."""
        settings = self.settings
        apoc = settings.neo4j_apoc
        properties = {
            "home": self.home,
            "host": settings.neo4j_host,
            "port": settings.neo4j_port,
            "pagecache": settings.neo4j_pagecache,
            # without APOC, an empty plugins folder: Neo4j loads procedures from its jars too
            "plugins": self.build_dir / "plugins" if apoc else self.home / "plugins",
            "procedures": ",".join(APOC_ALLOWLIST) if apoc else "",
            "tx_timeout_s": settings.neo4j_tx_timeout_s,
            "tx_memory": tx_memory(settings),
            "tls_cert": settings.neo4j_tls_cert.resolve() if settings.neo4j_tls_cert else "",
            "tls_key": settings.neo4j_tls_key.resolve() if settings.neo4j_tls_key else "",
        }
        return [f"-Driskgraph.{name}={value}" for name, value in properties.items()]

    def _wait_ready(self, pid: int, process: subprocess.Popen[bytes] | None) -> None:
        deadline = time.monotonic() + self.settings.neo4j_start_timeout_s
        while time.monotonic() < deadline:
            exited = process.poll() is not None if process else not _pid_alive(pid)
            if exited:
                self.pid_file.unlink(missing_ok=True)
                raise ServerError(
                    f"Neo4j exited during start-up; last lines of {self.log_file}:\n"
                    + self._log_tail()
                )
            if self.answers():
                return
            time.sleep(0.25)
        raise ServerError(
            f"Neo4j (pid {pid}) did not answer at {self.uri} within "
            f"{self.settings.neo4j_start_timeout_s:.0f}s (last error: {self._last_error}); "
            f"see {self.log_file}"
        )

    def _log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        causes = [line for line in text.splitlines() if line.startswith("Caused by")]
        tail = text.splitlines()[-lines:]
        return "\n".join([*causes[-3:], "...", *tail] if causes else tail)

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop cleanly (SIGTERM runs Neo4j's shutdown); False when nothing was running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        ours = self._process if self._process and self._process.pid == pid else None
        while (ours.poll() is None) if ours else _pid_alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                self.pid_file.unlink(missing_ok=True)
                raise ServerError(f"Neo4j (pid {pid}) ignored SIGTERM for {timeout_s:.0f}s; killed")
            time.sleep(0.1)
        self._process = None
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> ServerStatus:
        pid = self.pid()
        if pid is None:
            return ServerStatus(uri=self.uri, running=False, embedded=True, home=self.home)
        return describe(self.settings, pid=pid, home=self.home)


def describe(settings: Settings, pid: int | None = None, home: Path | None = None) -> ServerStatus:
    """Ask the server at ``settings.bolt_uri`` what it is; not running if it cannot answer."""
    from riskgraph.graph.gateway import Gateway  # the gateway needs the server's password

    try:
        with Gateway(settings) as graph:
            info = graph.read("server_info")[0]
            try:
                apoc: str | None = graph.read("apoc_version")[0]["version"]
            except QueryFailed:
                apoc = None
    except Neo4jUnavailable:
        return ServerStatus(settings.bolt_uri, False, settings.embedded, pid, home)
    return ServerStatus(
        uri=settings.bolt_uri,
        running=True,
        embedded=settings.embedded,
        pid=pid,
        home=home,
        version=info["version"],
        edition=info["edition"],
        apoc=apoc,
        nodes=info["nodes"],
        relationships=info["relationships"],
    )
