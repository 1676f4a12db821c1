"""Test-wide set-up: Kivy with no screen (docs/TESTING.md), the database fixtures."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator

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
