"""Secrets on disk: made atomically, private from their creation, never empty (unit)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from riskgraph.errors import ConfigError
from riskgraph.graph import credentials
from riskgraph.graph.credentials import (
    id_key_file,
    id_key_for,
    password_file,
    password_for,
    write_secret,
)
from tests.conftest import make_settings


def test_write_secret_opens_a_private_temporary_file_then_renames_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, int, int]] = []
    real_open = os.open

    def spy(path: str | Path, flags: int, mode: int = 0o777, **kw: object) -> int:
        opened.append((str(path), flags, mode))
        return real_open(path, flags, mode, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    target = tmp_path / "secret"
    write_secret(target, "s3cret\n")
    created = [o for o in opened if o[1] & os.O_CREAT]
    assert len(created) == 1
    path, flags, mode = created[0]
    assert Path(path).parent == tmp_path and Path(path).name != "secret"
    assert flags & os.O_EXCL and mode == 0o600
    assert target.read_text() == "s3cret\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret"]  # no temporary left


def test_a_crash_mid_write_leaves_no_empty_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write dies before the rename: the final name is untouched (absent, or the old
    secret), never empty, so the next start neither refuses nor runs without a password."""
    settings = make_settings(tmp_path)
    demo = tmp_path / "demo-api-keys"
    write_secret(demo, "old\n")

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        password_for(settings)
    with pytest.raises(OSError, match="disk full"):
        write_secret(demo, "new\n")
    assert not password_file(settings).exists()
    assert demo.read_text() == "old\n"
    assert list(password_file(settings).parent.iterdir()) == []  # temporary cleaned up
    monkeypatch.undo()
    assert len(password_for(settings)) >= 24  # the next try just makes one


def test_make_once_never_replaces_a_secret_made_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "id-key"
    write_secret(target, "first\n", replace=False)
    with pytest.raises(FileExistsError):
        write_secret(target, "second\n", replace=False)
    assert target.read_text() == "first\n"


def test_a_lost_race_uses_the_winners_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    path = password_file(settings)
    real_write = credentials.write_secret

    def other_process_first(target: Path, text: str, *, replace: bool = True) -> None:
        real_write(target, "the-winners-password\n", replace=False)  # made meanwhile
        real_write(target, text, replace=replace)

    monkeypatch.setattr(credentials, "write_secret", other_process_first)
    assert password_for(settings) == "the-winners-password"
    assert path.read_text() == "the-winners-password\n"


@pytest.mark.parametrize("content", ["", "\n", "  \n"])
def test_an_empty_password_file_is_refused(tmp_path: Path, content: str) -> None:
    settings = make_settings(tmp_path)
    path = password_file(settings)
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(ConfigError, match="Delete the file and run `riskgraph db start` again"):
        password_for(settings)
    assert path.read_text() == content


def test_embedded_password_from_the_environment_must_be_usable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD is empty"):
        password_for(make_settings(tmp_path, neo4j_password=""))
    with pytest.raises(ConfigError, match="shorter than Neo4j's minimum of 8"):
        password_for(make_settings(tmp_path, neo4j_password="short"))
    assert password_for(make_settings(tmp_path, neo4j_password="long enough")) == "long enough"
    # an external server's password is that server's business, as before
    external = make_settings(tmp_path, neo4j_uri="bolt://graph:7687", neo4j_password="")
    assert password_for(external) == ""


def test_an_empty_id_key_file_is_refused(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "neo4j")
    path = id_key_file(settings)
    path.parent.mkdir(parents=True)
    path.write_text("\n")
    with pytest.raises(ConfigError, match=r"resident-ID key cannot be blank\. Restore the file"):
        id_key_for(settings)


def test_generated_id_key_is_private(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "neo4j")
    key = id_key_for(settings)
    assert len(key) >= 24 and key == id_key_for(settings)
    assert id_key_file(settings).stat().st_mode & 0o777 == 0o600


def test_without_hard_links_the_secret_is_still_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # EPERM, as on FAT or some FUSE

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "password"
    write_secret(target, "first\n", replace=False)
    with pytest.raises(FileExistsError):
        write_secret(target, "second\n", replace=False)
    assert target.read_text() == "first\n" and target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["password"]
