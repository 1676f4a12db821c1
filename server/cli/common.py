"""What every `antrian` command of the server side shares: arguments, errors, the store."""

from __future__ import annotations

import argparse
import getpass
import sys

from server.cli.settings import db_url
from server.office.audit import Actor
from server.problems import Problem
from server.store.db import Store
from server.store.opening import open_store
from shared.config import Config


def fail(message: str) -> int:
    """Say what went wrong on stderr; exit status 2."""
    print(f"antrian: {message}", file=sys.stderr)
    return 2


def store_for(config: Config, db: str | None, *, demo: bool = False) -> Store:
    """The store a one-shot command works on: --db, else the box's configured database."""
    return open_store(db_url(config, db, demo=demo))


def db_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="site config (TOML); default: the bundled sample site")
    p.add_argument("--db", help="database URL; default: SQLite in the data directory")


# Changes made on the box's command line, as the audit log names them.
CLI = Actor(getpass.getuser() if hasattr(getpass, "getuser") else "technician", "technician", "cli")


def problem_text(problem: Problem) -> str:
    """A refusal for the command line: every field's English message, then the code the
    API answers with (e.g. "pin: The PIN must be 4 to 12 digits [invalid_fields]")."""
    listed = problem.extra.get("errors")
    text = str(problem)
    if isinstance(listed, list) and listed:
        text = "; ".join(
            f"{e.get('field')}: {e.get('message_en') or e.get('message')}" for e in listed
        )
    return f"{text} [{problem.code}]"
