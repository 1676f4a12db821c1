"""`antrian report KIND ...`: one subcommand per report, each from a registry.

A report module adds itself with one line in SUBCOMMANDS (e.g. the SKM's
`"skm": skm_cli.SKM`); every subcommand gets --config and --db.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from server.cli import skm as skm_cli
from server.cli.common import db_args, fail, problem_text, store_for
from server.cli.settings import config_from, data_dir
from server.evidence.exports import evidence_download
from server.evidence.pack import FORMATS
from server.office.live import site_config
from server.problems import Problem
from server.queue.site import Site
from server.reports.daily import daily_report, report_csv, report_table
from server.reports.exports import render_summary
from server.reports.months import seal_due
from server.reports.summary import GROUPS, PERIODS, summary_query
from server.store.db import Store
from shared.errors import AntrianError
from shared.timeutil import business_day, utcnow


@dataclass(frozen=True)
class Subcommand:
    """A report on the command line: its help, its options, and what it does."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Site, Store], int]


def _daily_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (default today)")
    p.add_argument("--format", choices=("table", "csv"), default="table")


def _daily(args: argparse.Namespace, site: Site, store: Store) -> int:
    with store.read() as s:
        report = daily_report(s, site, args.date or business_day(site.tz, utcnow()))
    print(report_csv(report) if args.format == "csv" else report_table(report), end="")
    if args.format == "table":
        print()
    return 0


def _summary_args(p: argparse.ArgumentParser) -> None:
    # As typed: the reports room reads and checks them (summary_query), as for the API.
    p.add_argument("--from", dest="date_from", help="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="YYYY-MM-DD (a custom period's last day)")
    p.add_argument("--period", help=f"{', '.join(PERIODS)} (default custom: from..to)")
    p.add_argument("--group", default="service", help=", ".join(GROUPS))
    p.add_argument("--format", choices=("table", "csv", "xlsx", "pdf"), default="table")
    p.add_argument("--out", type=Path, help="write to FILE (xlsx and pdf: default stdout)")


def _summary(args: argparse.Namespace, site: Site, store: Store) -> int:
    asked = summary_query(
        start=args.date_from, end=args.date_to, group=args.group, period=args.period
    )
    data = render_summary(store, site, asked.date_from, asked.date_to, asked.group, args.format)
    if args.out is not None:
        args.out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _evidence_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", help="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="YYYY-MM-DD")
    p.add_argument("--format", help=f"{', '.join(FORMATS)} (default pdf)")
    p.add_argument("-o", "--out", type=Path, help="write to FILE (default stdout)")
    p.add_argument("--data-dir", help="pictures from DIR/evidence (default: the server's)")


def _evidence(args: argparse.Namespace, site: Site, store: Store) -> int:
    # The config is read again for its data directory (the pictures): what the server has.
    folder = data_dir(config_from(args.config), args.data_dir)
    got = evidence_download(store, site, args.date_from, args.date_to, args.format, str(folder))
    if args.out is not None:
        args.out.write_bytes(got.data)
    else:
        sys.stdout.buffer.write(got.data)
        sys.stdout.flush()
    return 0


def _seal(args: argparse.Namespace, site: Site, store: Store) -> int:
    sealed = seal_due(store, site, business_day(site.tz, utcnow()))
    print(f"{sealed} month(s) sealed")
    return 0


SUBCOMMANDS: dict[str, Subcommand] = {
    "daily": Subcommand("per service: issued, served, no-show, waits", _daily_args, _daily),
    "summary": Subcommand(
        "a period by agency, service, counter, officer, hour or weekday",
        _summary_args,
        _summary,
    ),
    "evidence": Subcommand(
        "the evaluation's evidence pack of a period (PDF, or ZIP with XLSX and pictures)",
        _evidence_args,
        _evidence,
    ),
    "seal": Subcommand(
        "seal the months that are over now (the server does it at start and at midnight)",
        lambda p: None,
        _seal,
    ),
}


def report_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="antrian report", description="Reports.")
    sub = p.add_subparsers(dest="kind", required=True)
    for name, cmd in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=cmd.help)
        cmd.arguments(sp)
        db_args(sp)
    skm_cli.add_parser(sub)  # the SKM's results (server/cli/skm.py)
    args = p.parse_args(argv)
    if args.kind == "skm":
        return skm_cli.run(args)
    try:
        config = config_from(args.config)
        store = store_for(config, args.db)
        try:
            # the database's site (the TOML's while the database holds none)
            site = Site(site_config(store, config))
            return SUBCOMMANDS[args.kind].run(args, site, store)
        finally:
            store.dispose()
    except Problem as exc:  # a bad period, a bad group: the API's code and fields
        return fail(problem_text(exc))
    except AntrianError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot write {exc.filename}: {exc.strerror}")
