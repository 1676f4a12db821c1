"""Where the server's config and database are: flags, then environment, then defaults."""

from __future__ import annotations

import os
from pathlib import Path

from shared.config import Config, load_config

SYSTEM_DATA_DIR = Path("/var/lib/antrian")


def config_from(flag: str | None) -> Config:
    """--config, else ANTRIAN_CONFIG, else the bundled sample site."""
    return load_config(flag or os.environ.get("ANTRIAN_CONFIG") or None)


def data_dir(config: Config, flag: str | None = None) -> Path:
    chosen = flag or os.environ.get("ANTRIAN_DATA_DIR") or config.server.data_dir
    if chosen:
        return Path(chosen)
    if SYSTEM_DATA_DIR.is_dir() and os.access(SYSTEM_DATA_DIR, os.W_OK):
        return SYSTEM_DATA_DIR
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "antrian"


def db_url(
    config: Config, flag: str | None = None, *, demo: bool = False, data_flag: str | None = None
) -> str:
    """--db, else ANTRIAN_DB, else the config, else a SQLite file in the data directory."""
    chosen = flag or os.environ.get("ANTRIAN_DB") or config.server.db
    if chosen:
        return chosen
    name = "demo.sqlite" if demo else "antrian.sqlite"
    return f"sqlite:///{data_dir(config, data_flag) / name}"
