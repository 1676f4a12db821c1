"""`antrian backup`: back up the SQLite database (online, checked), or restore a backup."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from pathlib import Path

from server.cli.settings import config_from, data_dir, db_url
from server.store.backup import backup, prune, restore, sqlite_path
from shared.config import Config
from shared.errors import AntrianError

log = logging.getLogger(__name__)


def backup_dir(config: Config, flag: str | None) -> Path:
    if flag:
        return Path(flag)
    if config.server.backup_dir:
        return Path(config.server.backup_dir)
    return data_dir(config) / "backups"


def backup_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="antrian backup",
        description="Back up the SQLite database (online, checked), or restore a backup.",
    )
    p.add_argument("--config", help="site config (TOML)")
    p.add_argument("--db", help="database URL; default as for `antrian server`")
    p.add_argument("--dir", help="backup folder; default [server] backup_dir or DATA/backups")
    p.add_argument("--keep-days", type=int, help="delete backups older than this (0 = keep all)")
    p.add_argument("--restore", metavar="FILE", help="restore this backup (stop the server first)")
    p.add_argument("--force", action="store_true", help="restore even if the database is in use")
    args = p.parse_args(argv)
    try:
        config = config_from(args.config)
        db = sqlite_path(db_url(config, args.db))
        folder = backup_dir(config, args.dir)
        now = datetime.now(config.site.tz)
        if args.restore:
            saved = restore(Path(args.restore), db, folder, now, force=args.force)
            if saved:
                print(f"the database as it was is saved in {saved}")
            print(f"restored {args.restore} into {db}; start the server again")
            return 0
        made = backup(db, folder, now)
        keep = config.server.backup_keep_days if args.keep_days is None else args.keep_days
        gone = prune(folder, keep, now, keep=made)
    except AntrianError as exc:
        print(f"antrian backup: {exc}", file=sys.stderr)
        return 2
    log.info("backup %s (%d KB, integrity ok)", made, made.stat().st_size // 1024)
    for path in gone:
        log.info("deleted old backup %s", path.name)
    print(made)
    return 0
