"""The few statements on the issuing hot path, run on the DB-API connection.

Issuing must reach 500 tickets/s on two cores (docs/ARCHITECTURE.md). Through the ORM an
issue costs ~5 ms of CPU, almost all of it SQLAlchemy building, caching and
flushing statements; the statements themselves cost ~5 µs each in SQLite. So
these statements go straight to the driver, on the same connection and in the
same transaction (and savepoint) as the ORM session around them. Values are
converted by the columns' own bind processors, so a row written here is
byte-for-byte what the ORM would have written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from server.store.tables import DailyNumber, EventRow, ServiceStopRow, TicketRow

_NAMED = re.compile(r"(?<!:):(\w+)")


@lru_cache(maxsize=64)
def _for_driver(sql: str, dialect: str) -> str:
    """`:name` placeholders in the driver's style (sqlite3 takes them as they are)."""
    if dialect == "sqlite":
        return sql
    if dialect == "postgresql":  # psycopg
        return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
    raise NotImplementedError(f"raw statements on {dialect}")


@lru_cache(maxsize=8)
def _processors(dialect: Dialect, table: Table) -> dict[str, Any]:
    """Column name -> the bind processor the ORM would apply (or None).

    Columns of one type share one processor, so they share its last conversion (see
    Raw.values).
    """
    by_type: dict[str, Any] = {}
    procs: dict[str, Any] = {}
    for c in table.columns:
        kind = repr(c.type)
        if kind not in by_type:
            # dialect_impl: SQLite's own DATETIME format (always with microseconds).
            by_type[kind] = c.type.dialect_impl(dialect).bind_processor(dialect)
        procs[c.name] = by_type[kind]
    return procs


# Each processor's last conversion, (value, stored). An issue stores one instant four
# times (issued, queued, its place in line, its event) and one day three times. Keyed
# by the processor itself, not its id(): a freed processor's id can come back.
_last: dict[Any, tuple[Any, Any]] = {}


@lru_cache(maxsize=64)
def _insert(table: str, names: tuple[str, ...], returning: str | None) -> str:
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
    return sql if returning is None else f"{sql} RETURNING {returning}"


class Raw:
    """The DB-API connection under a session, with ORM-identical value conversion."""

    def __init__(self, session: Session) -> None:
        # Pending ORM changes first, as autoflush would, so raw reads see them.
        session.flush()
        bind = session.get_bind()
        self.dialect = bind.dialect
        self.dbapi: Any = (
            session.info.get("dbapi") or session.connection().connection.driver_connection
        )

    def execute(self, sql: str, **params: Any) -> Any:
        return self.dbapi.execute(_for_driver(sql, self.dialect.name), params)

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.execute(sql, **params).fetchone()
        return None if row is None else row[0]

    def values(self, table: Table, **values: Any) -> dict[str, Any]:
        """Python values -> what the driver stores, column by column."""
        procs = _processors(self.dialect, table)
        out: dict[str, Any] = {}
        for name, value in values.items():
            proc = procs[name]
            if proc is None or value is None:
                out[name] = value
                continue
            last = _last.get(proc)
            if last is not None and type(last[0]) is type(value) and last[0] == value:
                out[name] = last[1]
            else:
                out[name] = stored = proc(value)
                if len(_last) > 64:  # processors of engines since disposed (tests)
                    _last.clear()
                _last[proc] = (value, stored)
        return out

    def insert(self, table: Table, returning: str | None = None, **values: Any) -> Any:
        params = self.values(table, **values)
        sql = _insert(table.name, tuple(params), returning)
        if returning is None:
            self.execute(sql, **params)
            return None
        return self.scalar(sql, **params)


TICKETS: Table = TicketRow.__table__  # type: ignore[assignment]
EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
DAILY: Table = DailyNumber.__table__  # type: ignore[assignment]
STOPS: Table = ServiceStopRow.__table__  # type: ignore[assignment]
