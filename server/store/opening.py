"""The one way to open the store: check which database this is, upgrade it, hold it.

The server and every one-shot command (`antrian device`, `report`, `site`...) open the
database here, so the identity checks (server/store/identity.py) and the migrations
run the same way for all of them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from server.store import filecheck, identity
from server.store.db import Store, sqlite_file
from server.store.migrate import upgrade
from shared.errors import ConfigError

log = logging.getLogger(__name__)


def safe_url(url: str) -> str:
    """A database URL without its password, for the log."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}"
    return url


def cannot_open(url: str, exc: SQLAlchemyError) -> ConfigError:
    """The driver's own words (e.g. 'file is not a database'), without SQLAlchemy's noise."""
    return ConfigError(
        f"cannot open the database {safe_url(url)}: {getattr(exc, 'orig', None) or exc}"
    )


def _say_accepted(
    shown: str, held: identity.Identity | None, found: identity.Identity | None
) -> None:
    if held is not None and found is not None and held != found:
        log.warning(
            "database change accepted: %s is now database %s at seq %s (was %s at %s)",
            shown,
            found.database_id,
            found.seq,
            held.database_id,
            held.seq,
        )


def open_store(
    url: str, *, serve: bool = False, accept_change: bool = False, data_dir: Path | None = None
) -> Store:
    """The store at `url`, at the current schema.

    `serve`: the server's start, which checks that this is the database the data
    directory last held (or `accept_change`) and keeps the identity record current
    (PostgreSQL's record in `data_dir`).
    A one-shot command only checks that the write-ahead log belongs to the file.
    """
    path = sqlite_file(url)
    record_at = None
    if serve and path is None and data_dir is not None:
        record_at = data_dir / identity.PG_RECORD
        try:
            identity.check_server_start(url, record_at, safe_url(url), accept_change=accept_change)
        except SQLAlchemyError as exc:
            raise cannot_open(url, exc) from exc
    if path is not None:  # before anything opens it for writing (identity.py)
        if serve:
            identity.check_start(path, accept_change=accept_change)
        elif path.exists():
            identity.check_wal(path)
        filecheck.check_file(path, pages=serve)  # read-only: a refusal changes nothing
    store = Store(url)
    try:
        upgrade(store)
    except SQLAlchemyError as exc:
        store.dispose()
        raise cannot_open(url, exc) from exc
    if serve and path is not None and store.checkpointer is not None:
        held = identity.read_record(path)
        found = identity.settle(path)
        if accept_change:
            _say_accepted(str(path), held, found)
        store.checkpointer.keeper = identity.Keeper(path, found)
    if record_at is not None:
        held = identity.read_record_at(record_at)
        try:
            found_pg = identity.record_server(url, record_at, safe_url(url))
        except (SQLAlchemyError, OSError) as exc:
            store.dispose()
            raise ConfigError(
                f"cannot record the database's identity in {record_at}: {exc}"
            ) from exc
        if accept_change:
            _say_accepted(safe_url(url), held, found_pg)
        store.identity_record = record_at
    return store
