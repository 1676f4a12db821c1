"""`antrian site export` and `antrian site import FILE`: the site's TOML backup and restore.

An import is one change like a console's: the one validator, the day's safety,
one transaction with its audit entries (source "import"). It writes the database
and bumps its site_version; a running server sees that within a second
(server/office/live.py `watch`) and its kiosks, counters and TVs reload. (Calling
the running server's admin API instead would need an admin's credentials in the
technician's shell, and would not work with the server stopped.)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from server.cli.settings import config_from
from server.office import definition, live, seed
from server.office.audit import Actor
from server.office.rules import SiteInvalid
from server.problems import Problem
from server.store.db import Store
from shared.errors import AntrianError
from shared.timeutil import utcnow


def fail(message: str) -> int:
    print(f"antrian site: {message}", file=sys.stderr)
    return 2


def site_main(argv: list[str]) -> int:
    from server.cli.common import store_for

    p = argparse.ArgumentParser(prog="antrian site", description="The site's TOML backup.")
    sub = p.add_subparsers(dest="action", required=True)
    exp = sub.add_parser("export", help="write the site in the database as TOML")
    exp.add_argument("--out", help="file to write (default: stdout)")
    exp.add_argument(
        "--with-box",
        action="store_true",
        help="add this config's own sections (server, printer...): a whole config file",
    )
    imp = sub.add_parser("import", help="make a TOML file's site the site (validated, audited)")
    imp.add_argument("file")
    for q in (exp, imp):
        q.add_argument("--config", help="config (TOML) naming the database; default: the sample")
        q.add_argument("--db", help="database URL; default: SQLite in the data directory")
    args = p.parse_args(argv)
    try:
        config = config_from(args.config)
        store = store_for(config, args.db)
    except AntrianError as exc:
        return fail(str(exc))
    try:
        if args.action == "export":
            with store.read() as s:
                stored = definition.load(s)
            if stored is None:
                return fail("the database holds no site yet (the server takes it from its TOML)")
            text = seed.export_text(stored.target(), config if args.with_box else None, at=utcnow())
            if args.out:
                Path(args.out).write_text(text, encoding="utf-8")
                print(f"site written to {args.out}", file=sys.stderr)
            else:
                sys.stdout.write(text)
            return 0
        return _import(store, args.file)
    finally:
        store.dispose()


def _import(store: Store, file: str) -> int:
    try:
        text = Path(file).read_text(encoding="utf-8")
        sections = seed.site_sections(text, file)
    except OSError as exc:
        return fail(f"cannot read {file}: {exc.strerror or exc}")
    except AntrianError as exc:
        return fail(str(exc))
    actor = Actor(getpass.getuser(), "technician", "import")
    try:
        with store.write() as s:
            out = live.change_rows(s, actor, utcnow(), lambda _: sections)
    except SiteInvalid as exc:
        lines = [f"{file}: the site is not valid; nothing was changed:"]
        lines += [f"  {e.field}: {e.message} ({e.message_en})" for e in exc.errors]
        print("\n".join(lines), file=sys.stderr)
        return 2
    except Problem as exc:
        english = exc.extra.get("message_en", "")
        return fail(f"{exc.message} ({english}); nothing was changed")
    if not out.entries:
        print("the database already holds this site; nothing changed")
    else:
        print(
            f"site imported: {len(out.entries)} changes (version {out.version}); "
            "a running server applies it within seconds"
        )
    return 0
