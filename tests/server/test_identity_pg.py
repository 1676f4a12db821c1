"""PostgreSQL has the SQLite file's protection: a start against another, emptied or older
database refuses in one line with exit 2, unless --accept-database-change
(server/store/identity.py; its record lives in the data directory)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from tests.pg import Cluster
from tests.server.test_identity import issue, refused
from tests.serverproc import ServerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def sql(cluster: Cluster, *statements: str) -> None:
    """Each on its own (CREATE DATABASE cannot run in a transaction)."""
    dsn = f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def seq_of(cluster: Cluster, name: str) -> int:
    dsn = f"host=127.0.0.1 port={cluster.port} user=postgres dbname={name}"
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
    assert row is not None
    return int(row[0])


def test_another_emptied_or_older_postgresql_database_is_refused(
    tmp_path: Path, pg_cluster: Cluster, worker_id: str
) -> None:
    site = f"idsite_{worker_id}"
    url = pg_cluster.create_database(site)
    server = ServerProcess(tmp_path, db=url)
    server.start()
    issue(server.url, 3)
    server.stop()
    record = tmp_path / "postgresql.identity"
    held = json.loads(record.read_text())
    assert held["seq"] == seq_of(pg_cluster, site) >= 3
    assert held["database"].startswith("postgresql")

    # an older copy, kept aside (what a dump restored later would bring back)
    old = f"idold_{worker_id}"
    sql(
        pg_cluster, f'DROP DATABASE IF EXISTS "{old}"', f'CREATE DATABASE "{old}" TEMPLATE "{site}"'
    )
    server.start()
    issue(server.url, 3)
    server.stop()
    newer = json.loads(record.read_text())["seq"]
    assert newer == seq_of(pg_cluster, site) > held["seq"]

    # another site's database under the same data directory
    (tmp_path / "other").mkdir()
    other = ServerProcess(tmp_path / "other", db=pg_cluster.create_database(f"idother_{worker_id}"))
    other.start()
    other.stop()
    moved = ServerProcess(tmp_path, db=other.db)
    line = refused(moved)
    assert "another database" in line and "--accept-database-change" in line

    # the site's database put back from the older copy
    sql(pg_cluster, f'DROP DATABASE "{site}"', f'CREATE DATABASE "{site}" TEMPLATE "{old}"')
    line = refused(server)
    assert "older" in line and f"seq {newer}" in line
    assert seq_of(pg_cluster, site) == held["seq"]  # nothing was written into it

    # emptied: made again with nothing in it (the start would migrate it afresh)
    sql(pg_cluster, f'DROP DATABASE "{site}"', f'CREATE DATABASE "{site}"')
    line = refused(server)
    assert "no database" in line
    sql(pg_cluster, f'DROP DATABASE "{site}"', f'CREATE DATABASE "{site}" TEMPLATE "{old}"')

    # the technician says so: it starts, and holds this one from now on
    server.extra = ("--accept-database-change",)
    server.start()
    server.stop()
    assert json.loads(record.read_text())["seq"] == held["seq"]
    server.extra = ()
    server.start()
    server.stop()
    for name in (site, old, f"idother_{worker_id}"):
        sql(pg_cluster, f'DROP DATABASE IF EXISTS "{name}"')


def test_a_kill_9_never_makes_postgresql_refuse(
    tmp_path: Path, pg_cluster: Cluster, worker_id: str
) -> None:
    server = ServerProcess(tmp_path, db=pg_cluster.create_database(f"idkill_{worker_id}"))
    for _ in range(2):
        server.start()
        issue(server.url, 10)
        server.kill()  # the record holds the start's seq: lower than the database's
    server.start()
    server.stop()
    assert json.loads((tmp_path / "postgresql.identity").read_text())["seq"] >= 20
