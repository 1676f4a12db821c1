"""Test-wide set-up: Kivy with no screen (docs/TESTING.md), the database fixtures."""

from __future__ import annotations

import gc
import itertools
import os
import random
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

# Must be set before anything imports kivy (docs/TESTING.md: never SDL's "dummy" video driver).
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# As display/app.py does: sounds and pictures through SDL2/Pillow, even with ffpyplayer here
os.environ.setdefault("KIVY_AUDIO", "sdl2")
os.environ.setdefault("KIVY_IMAGE", "tex,dds,sdl2,pil")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest

from tests.pg import Cluster, start_cluster

_db_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One PostgreSQL server for the run; each test gets its own database in it."""
    cluster, why = start_cluster()
    if cluster is None:
        if os.environ.get("ANTRIAN_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required here but could not start: {why}")
        pytest.skip(f"PostgreSQL not available: {why}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    """A fresh, empty database: a SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/antrian.sqlite"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"t{os.getpid()}_{next(_db_names)}")


def _migrate(url: str) -> None:
    from server.store.db import Store
    from server.store.migrate import upgrade

    store = Store(url)
    try:
        upgrade(store)
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the current schema, migrated once per test process (worker)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite"
    _migrate(f"sqlite:///{path}")
    # The last connection's close copied the write-ahead log in: the file is the database.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_cluster: Cluster) -> str:
    """A PostgreSQL database at the current schema, once per test process (worker)."""
    name = f"template_{os.getpid()}"
    _migrate(pg_cluster.create_database(name))
    return name


@pytest.fixture
def migrated_db_url(request: pytest.FixtureRequest, db_url: str) -> str:
    """db_url's database at the current schema: a copy of the template (a few ms, where
    upgrade() on every test's database took 0.3-1 s), with a database id of its own."""
    from server.store.tables import DATABASE_ID

    own_id = random.randrange(1, 2**31)  # as server/store/migrate.py seeds it
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = ?", (own_id, DATABASE_ID))
        conn.close()
        return db_url
    import psycopg

    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = db_url.rsplit("/", 1)[1]
    cluster.create_database(name, template=request.getfixturevalue("pg_template"))
    dsn = f"host=127.0.0.1 port={cluster.port} user=postgres dbname={name}"
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute("UPDATE meta SET value = %s WHERE key = %s", (own_id, DATABASE_ID))
    return db_url


# -- in any order: ANTRIAN_TEST_SHUFFLE=SEED ----------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """ANTRIAN_TEST_SHUFFLE=SEED runs the tests in a random order, the same one on every
    xdist worker (they must collect alike). `make test` keeps each module on one worker
    (--dist loadscope), so a server a module's tests share starts once."""
    seed = os.environ.get("ANTRIAN_TEST_SHUFFLE")
    if seed:
        random.Random(seed).shuffle(items)
    else:
        _long_modules_first(items)


def _long_modules_first(items: list[pytest.Item]) -> None:
    """Modules with the most slow tests first, each whole and in its own order: xdist's
    loadscope hands modules out in this order, so a long one started last no longer
    leaves three workers idle while it runs on (the longest-first rule)."""

    def module(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]

    slow = Counter(module(item) for item in items if item.get_closest_marker("slow"))
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        first.setdefault(module(item), index)
    items.sort(key=lambda item: (-slow[module(item)], first[module(item)]))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the imports and the collection made lives as long as the process: out of the
    collector's way (as `antrian server` does after its start), each full collection scans
    only what the tests made. About 7% less CPU in the in-process server tests."""
    gc.collect()
    gc.freeze()


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = os.environ.get("ANTRIAN_TEST_SHUFFLE")
    return f"tests shuffled: ANTRIAN_TEST_SHUFFLE={seed}" if seed else None
