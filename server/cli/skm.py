"""`antrian report skm --from D --to D [--agency A] [--format table|xlsx|pdf] [--out FILE]`.

The report's subcommand is built here and hooked into `antrian report` in one line
(`skm_cli.add_parser(sub)`, then `skm_cli.run(args)` for kind "skm").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.skm import results
from server.skm.exports import skm_download
from server.skm.report import SkmReport, filters_for, skm_report
from shared.timeutil import business_day, utcnow


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The `skm` subcommand of `antrian report`."""
    p = sub.add_parser("skm", help="SKM (satisfaction survey) results: IKM, grade, per unsur")
    # As typed: the skm room reads and checks them (filters_for), as for the API and the page.
    p.add_argument("--from", dest="start", help="YYYY-MM-DD (default the first of to's month)")
    p.add_argument("--to", dest="end", help="YYYY-MM-DD (default today)")
    p.add_argument("--agency")
    p.add_argument("--service")
    p.add_argument("--counter")
    p.add_argument("--officer")
    p.add_argument("--format", choices=("table", "xlsx", "pdf"), default="table")
    p.add_argument("--out", help="file to write (xlsx and pdf: default skm-FROM-TO.EXT)")
    p.add_argument("--config", help="site config (TOML); default: the bundled sample site")
    p.add_argument("--db", help="database URL; default: SQLite in the data directory")
    return p


def table(report: SkmReport) -> str:
    """The results as text for a terminal, Indonesian figures."""
    f = report.filters
    lines = [f"SKM {report.site}: {f.start.isoformat()} .. {f.end.isoformat()}"]
    r = report.overall.result
    lines.append(f"{'Unsur':<44} {'Jumlah':>8} {'NRR':>8} {'x 1/9':>8}")
    for u in report.unsur():
        nrr = results.id_number(r.nrrs[int(u["unsur"][1:]) - 1], 4) if r else "-"
        weighted = results.id_number(r.weighted[int(u["unsur"][1:]) - 1], 4) if r else "-"
        name = f"{u['unsur']} {u['name']}"[:44]
        lines.append(f"{name:<44} {u['total']:>8} {nrr:>8} {weighted:>8}")
    if r is not None:
        lines.append(
            f"IKM {results.id_number(r.ikm_shown)}  mutu {r.grade.letter} ({r.grade.name})"
        )
    else:
        lines.append("IKM -  (no answers in this period)")
    lines.append("weights: exactly 1/9 per unsur")
    lines.append(
        f"respondents {report.overall.respondents}; served {report.served}; "
        f"Krejcie-Morgan sample {report.sample_needed}"
    )
    for key in ("agency", "service", "counter", "wait"):
        for row in report.groups.get(key, []):
            ikm = results.id_number(row.result.ikm_shown) if row.result else "-"
            lines.append(f"  {key:<8} {row.label[:40]:<40} {row.respondents:>6} {ikm:>7}")
    lines.append(f"suggestions: {report.suggestions_total}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Run `antrian report skm` with the parsed arguments; 0 on success."""
    from server.cli.common import fail, problem_text, store_for
    from server.cli.settings import config_from
    from server.office.live import site_config
    from server.problems import Problem
    from server.queue.site import Site
    from shared.errors import AntrianError

    try:
        config = config_from(args.config)
        store = store_for(config, args.db)
        try:
            site = Site(site_config(store, config))  # the database's site
            today = business_day(site.tz, utcnow())
            filters = filters_for(
                site,
                today,
                start=args.start,
                end=args.end,
                agency=args.agency,
                service=args.service,
                counter=args.counter,
                officer=args.officer,
                role="admin",  # the box's technician sees everything
            )
            if args.format == "table":
                with store.read() as s:
                    text = table(skm_report(s, site, filters, officers=True))
            else:
                got = skm_download(store, site, filters, args.format, today, officers=True)
        finally:
            store.dispose()
    except Problem as exc:
        return fail(problem_text(exc))
    except AntrianError as exc:
        return fail(str(exc))
    if args.format == "table":
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    out = Path(args.out or got.name)
    out.write_bytes(got.data)
    sys.stdout.write(f"{out}\n")
    return 0
