"""A first load through Neo4j's bulk importer gives the graph the transactional loader
gives, and quarantines the same rows: the same bundle, one generated province with its
planted malformed rows plus rows written here for what the importer cannot express alone
(later versions of a relationship, a person under two ids, a value on several lines)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from riskgraph.graph.admin_import import run_import
from riskgraph.graph.credentials import id_key_file, id_key_for, password_for
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.graph.server import EmbeddedServer
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import BulkRefused, IngestReport, Initial, ingest_bundle
from riskgraph.settings import Settings
from tests.conftest import make_settings
from tests.ingest.test_pipeline import SMESD

# properties that differ between any two loads by design: when the key was recorded
VOLATILE = {("Meta", "recorded_at")}


def _append(path: Path, *rows: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def _first(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bulk-province")
    generate(400, 5, out)
    holding = _first(out / "shareholdings.csv")
    office = _first(out / "officers.csv")
    person = _first(out / "persons.csv")
    event = _first(out / "events.csv")
    # a holding's second version (another share, later): closes the first
    _append(out / "shareholdings.csv", {**holding, "share": "0.07", "since": "2024-03-01"})
    # an office held before the one in the file: history slotted in
    _append(out / "officers.csv", {**office, "since": "2001-05-04"})
    # one person under a second id (same resident ID): merged, the id kept as an alias
    _append(out / "persons.csv", {**person, "id": "P-ALIAS-1", "name": person["name"]})
    # a description with the CSV's delimiter, quotes and line breaks in it
    _append(
        out / "events.csv",
        {**event, "date": "2024-02-29", "description": '第一行,"引号"\n第二行\r\n第三行'},
    )
    return out


def _dump(driver: neo4j.Driver) -> tuple[Counter[Any], Counter[Any]]:
    """Every node (labels, each property with its type) and every relationship (type,
    endpoints by label and key, properties), as multisets."""

    def typed(label: str, props: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            sorted(
                (k, type(v).__name__, tuple(v) if isinstance(v, list) else v)
                for k, v in props.items()
                if (label, k) not in VOLATILE
            )
        )

    nodes: Counter[Any] = Counter()
    for record in driver.execute_query(
        "MATCH (n) RETURN labels(n) AS l, properties(n) AS p"
    ).records:
        label = ":".join(sorted(record["l"]))
        nodes[(label, typed(label, record["p"]))] += 1
    rels: Counter[Any] = Counter()
    query = (
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, labels(a)[0] AS la, "
        "coalesce(a.id, a.key, a.number) AS ka, labels(b)[0] AS lb, "
        "coalesce(b.id, b.key, b.number) AS kb, properties(r) AS p"
    )
    for record in driver.execute_query(query).records:
        rels[
            (record["t"], record["la"], record["ka"], record["lb"], record["kb"],
             typed(record["t"], record["p"]))
        ] += 1  # fmt: skip
    return nodes, rels


def _same_graph(settings: Settings, driver: neo4j.Driver) -> Counter[Any]:
    """Assert that the bulk-loaded server (``settings``) and the transactional one
    (``driver``) hold the same, sizeable graph; the bulk graph's nodes."""
    auth = (settings.neo4j_user, password_for(settings))
    with neo4j.GraphDatabase.driver(settings.bolt_uri, auth=auth) as bulk_driver:
        bulk_nodes, bulk_rels = _dump(bulk_driver)
    nodes, rels = _dump(driver)
    assert sum(nodes.values()) > 1000 and sum(rels.values()) > 1000
    assert bulk_nodes - nodes == Counter() and nodes - bulk_nodes == Counter()
    assert bulk_rels - rels == Counter() and rels - bulk_rels == Counter()
    return bulk_nodes


def _rejected(directory: Path) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8") for p in sorted((directory / "_rejected").glob("*"))
    }


@pytest.fixture
def own_server(
    neo4j_settings: Settings, tmp_path: Path
) -> Iterator[tuple[EmbeddedServer, Settings]]:
    """A Neo4j of this test's own (the import stops and starts it), under the session's
    resident-ID key, so both loads hash IDs alike."""
    id_key_for(neo4j_settings)
    settings = make_settings(tmp_path / "neo4j", id_key_file=id_key_file(neo4j_settings))
    server = EmbeddedServer(settings)
    server.start()
    try:
        yield server, settings
    finally:
        server.stop()


def _bulk(bundle: Path, server: EmbeddedServer, reports: Path) -> IngestReport:
    settings = server.settings
    with Gateway(settings) as graph:
        migrate(graph)
        initial = Initial(
            reports / "_import", lambda files: run_import(server, files, settings.neo4j_database)
        )
        return ingest_bundle(bundle, graph, settings, reports=reports, initial=initial)


def test_bulk_and_transactional_loads_give_the_same_graph(
    bundle: Path,
    own_server: tuple[EmbeddedServer, Settings],
    graph: Gateway,
    neo4j_settings: Settings,
    driver: neo4j.Driver,
    tmp_path: Path,
) -> None:
    slow = ingest_bundle(bundle, graph, neo4j_settings, reports=tmp_path / "transactional")
    server, settings = own_server
    fast = _bulk(bundle, server, tmp_path / "bulk")

    assert fast.imported is not None and fast.later_rows >= 2  # both versions' rows applied
    assert [(f.name, f.read, f.loaded, f.rejected, f.merged) for f in fast.files] == [
        (f.name, f.read, f.loaded, f.rejected, f.merged) for f in slow.files
    ]
    assert slow.rejected > 0 and slow.merged >= 1
    assert _rejected(tmp_path / "bulk") == _rejected(tmp_path / "transactional")

    bulk_nodes = _same_graph(settings, driver)
    # the description came through whole (its line breaks made spaces, as on every path)
    assert any('第一行,"引号" 第二行 第三行' in str(key) for key in bulk_nodes)


def test_bulk_refuses_a_graph_that_holds_data(
    bundle: Path, graph: Gateway, neo4j_settings: Settings, driver: neo4j.Driver, tmp_path: Path
) -> None:
    driver.execute_query("CREATE (:Company {id: 'C1', name: '已有公司'})")
    calls: list[object] = []
    initial = Initial(tmp_path / "_import", lambda files: calls.append(files))  # type: ignore[func-returns-value]
    with pytest.raises(BulkRefused, match="not empty"):
        ingest_bundle(bundle, graph, neo4j_settings, reports=tmp_path, initial=initial)
    assert calls == []


@pytest.mark.skipif(
    not SMESD.is_dir(), reason="the shared SMEsD bundle is not beside this checkout"
)
def test_the_real_smesd_bundle_loads_alike_both_ways(
    own_server: tuple[EmbeddedServer, Settings],
    graph: Gateway,
    neo4j_settings: Settings,
    driver: neo4j.Driver,
    tmp_path: Path,
) -> None:
    """Data riskgraph did not make: SMEsD delivers 3,118 holdings twice (without values,
    then with them), which the bulk path must merge by query as the transactional one does."""
    slow = ingest_bundle(SMESD, graph, neo4j_settings, reports=tmp_path / "transactional")
    server, settings = own_server
    fast = _bulk(SMESD, server, tmp_path / "bulk")
    assert fast.later_rows > 0 and fast.loaded == slow.loaded and fast.rejected == 0
    _same_graph(settings, driver)
