"""Neo4j's offline bulk importer (``neo4j-admin database import full``) for a first load.

The embedded server's own classpath carries the importer (``neo4j-import-tool``): it is run
with the server stopped, into the server's store, then the server starts again. For an
external server (``NEO4J_URI``) riskgraph cannot stop it or reach its store, so
``operator_command`` gives the operator the exact command to run there.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from riskgraph.errors import ServerError
from riskgraph.graph.server import JVM_FLAGS, EmbeddedServer

ADMIN_MAIN = "org.neo4j.cli.AdminTool"


@dataclass(frozen=True)
class ImportSource:
    """One importer input: nodes of a label or relationships of a type, header + data."""

    kind: str  # "nodes" or "relationships"
    name: str  # label, or type and start label ("HOLDS-Person")
    header: Path
    data: Path

    @property
    def argument(self) -> str:
        label = self.name.split("-", 1)[0]
        return f"--{self.kind}={label}={self.header},{self.data}"


@dataclass(frozen=True)
class ImportFiles:
    sources: tuple[ImportSource, ...]
    multiline: tuple[Path, ...]  # data files with a value that spans lines
    array_delimiter: str

    def arguments(self, database: str) -> list[str]:
        """The importer's arguments after ``database import full`` (absolute paths)."""
        delimiter = f"U+{ord(self.array_delimiter):04X}"
        args = [
            *(s.argument for s in self.sources),
            f"--array-delimiter={delimiter}",
            "--bad-tolerance=0",  # validated rows: any bad entry is a bug, not data
            "--skip-bad-relationships=false",
            "--skip-duplicate-nodes=false",
            "--overwrite-destination=true",
            f"--threads={os.cpu_count() or 1}",
        ]
        if self.multiline:
            args += [
                "--multiline-fields-format=v2",
                f"--multiline-fields={','.join(str(p) for p in self.multiline)}",
            ]
        return [*args, database]


def operator_command(files: ImportFiles, database: str) -> str:
    """The command an operator runs on the external server's machine (Neo4j stopped)."""
    return shlex.join(["neo4j-admin", "database", "import", "full", *files.arguments(database)])


@dataclass(frozen=True)
class ImportRun:
    seconds: float  # the importer's own run
    stopped_s: float  # stopping the server
    started_s: float  # starting it again
    report: Path


def run_import(server: EmbeddedServer, files: ImportFiles, database: str) -> ImportRun:
    """Stop the embedded server, import ``files`` over its ``database``, start it again.
    The importer runs in its own JVM on the server's classpath; a failure leaves the
    server started again on whatever the store holds, and raises with the importer's
    own words."""
    settings = server.settings
    conf = server.home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").touch()  # the store's default places under NEO4J_HOME
    report = server.home / "logs" / "import.report"  # the importer's own account
    report.parent.mkdir(parents=True, exist_ok=True)
    command = [
        settings.java,
        f"-Xmx{settings.neo4j_heap}",
        *JVM_FLAGS,
        "-cp",
        server.classpath(),
        ADMIN_MAIN,
        "database",
        "import",
        "full",
        f"--report-file={report}",
        *files.arguments(database),
    ]
    env = {**os.environ, "NEO4J_HOME": str(server.home), "NEO4J_CONF": str(conf)}
    started = time.perf_counter()
    server.build()
    server.stop()
    stopped = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    imported = time.perf_counter()
    server.start()
    if result.returncode != 0:
        lines = (result.stdout + result.stderr).strip().splitlines()[-25:]
        raise ServerError(
            f"neo4j-admin database import failed ({result.returncode}); the database is "
            "unchanged or empty: run `riskgraph db wipe --yes` and load again with "
            "`riskgraph ingest --transactional`.\n" + "\n".join(lines)
        )
    return ImportRun(
        seconds=imported - stopped,
        stopped_s=stopped - started,
        started_s=time.perf_counter() - imported,
        report=report,
    )
