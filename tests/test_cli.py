from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from riskgraph.cli import app
from riskgraph.graph.credentials import password_for
from riskgraph.graph.server import free_port
from riskgraph.settings import Settings, get_settings

runner = CliRunner()


@pytest.fixture
def idle_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Environment pointing at an embedded server that is not running."""
    monkeypatch.setenv("RISKGRAPH_NEO4J_DIR", str(tmp_path / "db"))
    monkeypatch.setenv("RISKGRAPH_NEO4J_PORT", str(free_port()))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_stop_with_nothing_running_says_so(idle_env: None) -> None:
    result = runner.invoke(app, ["db", "stop"])
    assert result.exit_code == 0
    assert "not running" in result.output


def test_status_when_down_exits_3(idle_env: None) -> None:
    result = runner.invoke(app, ["db", "status"])
    assert result.exit_code == 3
    assert "运行中" in result.output and "否" in result.output  # zh-CN by default


def test_migrate_when_down_is_one_clear_line(idle_env: None) -> None:
    result = runner.invoke(app, ["db", "migrate"])
    assert result.exit_code == 1
    assert "start it with `riskgraph db start`" in result.output


def test_status_of_running_server(
    neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.bolt_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", password_for(neo4j_settings))
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "status"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "5.26" in result.output and "外部（NEO4J_URI）" in result.output  # zh-CN by default


def test_query_list_names_every_investigation() -> None:
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0
    for name in ("neighbourhood", "connection_paths", "equity_penetration", "controlled_by"):
        assert name in result.output
    assert "parameters:" in result.output and "returns:" in result.output


def test_query_json_and_bad_parameters(server_env: None, driver: neo4j.Driver) -> None:
    driver.execute_query("MATCH (n) DETACH DELETE n")
    driver.execute_query(
        "CREATE (:Person {id: 'P', name: '王伟'})-[:HOLDS {share: 0.6}]->(:Company {id: 'A'})"
        "-[:HOLDS {share: 0.5}]->(t:Company {id: 'T', name: '目标'})"
    )
    result = runner.invoke(
        app, ["query", "equity_penetration", "-p", "id=T", "-p", "threshold=0.1", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["holder_id"]: r["effective_share"] for r in rows} == pytest.approx(
        {"A": 0.5, "P": 0.3}
    )
    bad = runner.invoke(app, ["query", "neighbourhood", "-p", "id=T", "-p", "hops=9"])
    assert bad.exit_code == 2 and "hops" in bad.output
    missing = runner.invoke(app, ["query", "neighbourhood", "-p", "id=NOPE"])
    assert missing.exit_code == 1 and "'NOPE'" in missing.output


def test_propagate_what_if_ranks_the_rare_phone_partner_first(
    server_env: None, driver: neo4j.Driver
) -> None:
    driver.execute_query("MATCH (n) DETACH DELETE n")
    driver.execute_query(
        "CREATE (s:Company {id: 'S'}), (a:Company {id: 'A'}), (b:Company {id: 'B'}),"
        " (t:Phone {number: '+8613800000009'}), (h:Address {key: 'HUB'}),"
        " (s)-[:HAS_PHONE]->(t), (a)-[:HAS_PHONE]->(t),"
        " (s)-[:REGISTERED_AT]->(h), (b)-[:REGISTERED_AT]->(h)"
        " WITH h UNWIND range(1, 50) AS i"
        " CREATE (:Company {id: 'X' + toString(i)})-[:REGISTERED_AT]->(h)"
    )
    result = runner.invoke(app, ["propagate", "--seed", "S", "--top", "3"])
    assert result.exit_code == 0, result.output
    listed = [line.split()[1] for line in result.output.splitlines() if line.startswith("│")]
    assert listed[0] == "A" and "S" not in listed
    assert runner.invoke(app, ["propagate", "--seed", "NOPE"]).exit_code == 1


def test_ingest_of_a_registry_export_reports_warnings_and_merges(
    server_env: None, driver: neo4j.Driver, tmp_path: Path
) -> None:
    from stdnum.cn import ric

    from tests.ingest.conftest import make_uscc, write_bundle

    driver.execute_query("MATCH (n) DETACH DELETE n")
    base = "33090219560101844"
    number = base + ric.calc_check_digit(base + "0")
    directory = write_bundle(tmp_path / "zh")
    a = make_uscc(1)
    (directory / "companies.csv").write_bytes(
        f"主体编号,企业名称,登记状态,成立日期\n{a},舟山甲公司,存续,2019年3月5日\n"
        f"X2,乙公司,营业中,2019-02-30\n".encode("gb18030")
    )
    (directory / "persons.csv").write_bytes(
        f"人员编号,姓名,证件号码\nP1,王伟,{number}\nP2,王伟,{number}\n".encode("gb18030")
    )
    result = runner.invoke(app, ["ingest", str(directory)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())  # the table wraps at the runner's 80 columns
    assert "gb18030" in flat and "置空的值列于：" in flat  # zh-CN by default
    assert "按身份证号合并了 1 行人员记录" in flat
    warned = (directory / "_warnings" / "companies.csv").read_text(encoding="utf-8-sig")
    assert "status,unknown_status" in warned and "established,bad_date" in warned
    assert number not in result.output

    (directory / "events.csv").write_bytes(b"company_id,date,type\n" + b"\xff\n")
    forced = runner.invoke(app, ["ingest", str(directory), "--encoding", "utf-8"])
    assert forced.exit_code == 1
    assert "companies.csv:1: cannot be decoded as utf-8" in " ".join(forced.output.split())
    bad_mapping = tmp_path / "m.yaml"
    bad_mapping.write_text("values: {status: {营业中: thriving}}\n", encoding="utf-8")
    refused = runner.invoke(app, ["ingest", str(directory), "--mapping", str(bad_mapping)])
    assert refused.exit_code == 1 and "thriving" in " ".join(refused.output.split())


def test_db_start_refuses_plaintext_on_the_network_before_starting_anything(
    idle_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A unit test: starting or building Neo4j here would fail it (tests/conftest.py)."""
    monkeypatch.setenv("RISKGRAPH_NEO4J_HOST", "0.0.0.0")
    for variable in ("RISKGRAPH_NEO4J_TLS_CERT", "RISKGRAPH_NEO4J_TLS_KEY", "NEO4J_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "start"])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, AssertionError)  # refused, not started
    output = " ".join(result.output.split())
    assert "RISKGRAPH_NEO4J_HOST=0.0.0.0 is not a loopback address" in output
    assert "unset RISKGRAPH_NEO4J_HOST" in output
    assert "RISKGRAPH_NEO4J_TLS_CERT and RISKGRAPH_NEO4J_TLS_KEY" in output
    assert not (tmp_path / "db" / "riskgraph-neo4j.pid").exists()


def test_db_start_refuses_an_empty_password(
    idle_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "")
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "start"])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, AssertionError)
    assert "NEO4J_PASSWORD is empty" in result.output


def test_demo_keys_are_written_private_and_whole(tmp_path: Path) -> None:
    from riskgraph.cli.demo import demo_keys

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, neo4j_dir=tmp_path / "neo4j", api_keys=None, neo4j_uri=None
    )
    stale = tmp_path / "demo-api-keys"
    stale.write_text("RISKGRAPH_API_KEYS=old\n")
    stale.chmod(0o644)
    keys = demo_keys(settings)
    assert keys.path == stale
    assert stale.stat().st_mode & 0o777 == 0o600  # a new 0600 file, not the old 0644 one
    assert stale.read_text().startswith("RISKGRAPH_API_KEYS=viewer:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-api-keys"]  # no temporary


def test_initial_load_on_an_external_server_prints_the_importer_command(
    server_env: None, driver: neo4j.Driver, tmp_path: Path
) -> None:
    """With NEO4J_URI riskgraph cannot stop the server: it writes the import files and
    says what to run there; nothing is loaded. A graph that holds data is refused."""
    from tests.ingest.conftest import make_uscc, write_bundle

    driver.execute_query("MATCH (n) DETACH DELETE n")
    a = make_uscc(7)
    directory = write_bundle(
        tmp_path / "b",
        companies=[{"id": a, "name": "导入甲公司"}, {"id": "", "name": "无编号公司"}],
        persons=[{"id": "P1", "name": "王伟"}],
        shareholdings=[{"holder_id": "P1", "holder_type": "person", "company_id": a}],
    )
    result = runner.invoke(app, ["ingest", str(directory), "--initial"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "neo4j-admin database import full" in flat and "--nodes=Company=" in flat
    assert f"riskgraph ingest {directory}" in flat
    companies = (directory / "_import" / "nodes-Company.csv").read_text(encoding="utf-8")
    assert companies.startswith(f"{a},") and companies.count("\n") == 1  # the bad row: kept aside
    assert (directory / "_rejected" / "companies.csv").exists()
    assert driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"] == 0

    driver.execute_query("CREATE (:Company {id: 'X', name: '已有'})")
    refused = runner.invoke(app, ["ingest", str(directory), "--initial"])
    assert refused.exit_code == 1 and "not empty" in " ".join(refused.output.split())
