"""`antrian device`, `officer` and `admin`: devices' tokens and people, from the box."""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy import select

from server.cli.common import CLI, db_args, fail, problem_text, store_for
from server.cli.settings import config_from
from server.office import devices as office_devices
from server.office import people as office_people
from server.office.live import site_config
from server.problems import Problem
from server.store.tables import DeviceRow, OfficerRow
from shared.errors import AntrianError
from shared.timeutil import utcnow

log = logging.getLogger(__name__)


def device_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="antrian device", description="Kiosk, display and survey tablet tokens."
    )
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="register a device; prints its token (shown once)")
    add.add_argument("name")
    # As typed: the office's rules (office/devices.py) answer a wrong one, as for the API.
    add.add_argument("--role", default="", help=", ".join(office_devices.ROLES))
    add.add_argument("--counter", help="a survey tablet's counter")
    db_args(add)
    revoke = sub.add_parser("revoke", help="revoke a device: its token stops working")
    revoke.add_argument("name")
    db_args(revoke)
    lst = sub.add_parser("list", help="list devices and their last contact")
    db_args(lst)
    args = p.parse_args(argv)
    try:
        config = config_from(args.config)
        store = store_for(config, args.db)
        known = {c.code for c in site_config(store, config).counters}
        if args.action == "add":
            with store.write() as s:
                token, _ = office_devices.register(
                    s, args.name, args.role, args.counter, known, utcnow(), actor=CLI
                )
            print(f"device {args.name!r} ({args.role}) registered; its token (shown only now):")
            print(token)
        elif args.action == "revoke":
            with store.write() as s:
                row = s.scalar(select(DeviceRow).where(DeviceRow.name == args.name))
                if row is None:
                    return fail(f"no device {args.name!r}")
                office_devices.revoke(s, row.id, utcnow(), actor=CLI)
            print(f"device {args.name!r} revoked")
        else:
            with store.read() as s:
                for d in office_devices.devices(s):
                    seen = (
                        d.last_seen_at.astimezone(config.site.tz).strftime("%Y-%m-%d %H:%M")
                        if d.last_seen_at
                        else "never"
                    )
                    print(
                        f"{d.name:<20} {d.role:<8} last contact {seen}"
                        f"{' (revoked)' if d.revoked else ''}"
                    )
        store.dispose()
    except Problem as exc:
        return fail(problem_text(exc))
    except AntrianError as exc:
        return fail(str(exc))
    return 0


def officer_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="antrian officer", description="Officer accounts.")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="add an officer, or reset an officer's PIN and counters")
    add.add_argument("username")
    # As typed: the office's rules (office/people.py) answer a wrong one, as for the API.
    add.add_argument("--name", help="required for a new officer")
    add.add_argument("--pin", help="4 to 12 digits (required for a new officer)")
    add.add_argument("--counters", default="", help="counter codes, e.g. L01,L02")
    add.add_argument("--role", default="officer", help="officer or supervisor")
    db_args(add)
    for action, text in (
        ("disable", "disable an officer (their sessions end; they cannot sign in)"),
        ("enable", "enable a disabled officer again"),
        ("remove", "remove an officer (their sessions end)"),
    ):
        one = sub.add_parser(action, help=text)
        one.add_argument("username")
        db_args(one)
    lst = sub.add_parser("list", help="list officers")
    db_args(lst)
    args = p.parse_args(argv)
    try:
        config = config_from(args.config)
        store = store_for(config, args.db)
        known = {c.code for c in site_config(store, config).counters}
        if args.action == "add":
            counters = [c.strip() for c in args.counters.split(",") if c.strip()]
            with store.write() as s:
                exists = s.scalar(select(OfficerRow).where(OfficerRow.username == args.username))
                change = office_people.PersonChange(
                    username=args.username,
                    name=args.name,
                    role=args.role,
                    counters=counters,
                    pin=args.pin,
                    active=True,
                )
                office_people.save(s, change, known, create=exists is None, actor=CLI)
            print(
                f"officer {args.username!r} ({args.role}) saved for "
                f"{', '.join(counters) or 'any counter'}"
            )
        elif args.action in ("disable", "enable"):
            with store.write() as s:
                change = office_people.PersonChange(
                    username=args.username, active=args.action == "enable"
                )
                office_people.save(s, change, known, create=False, actor=CLI)
            print(f"officer {args.username!r} {args.action}d")
        elif args.action == "remove":
            with store.write() as s:
                office_people.remove(s, args.username, actor=CLI)
            print(f"officer {args.username!r} removed")
        else:
            with store.read() as s:
                for o in office_people.people(s):
                    state = "" if o.active else " (disabled)"
                    print(
                        f"{o.username:<16} {o.name:<24} {o.role:<10} "
                        f"{','.join(o.counters) or '*'}{state}"
                    )
        store.dispose()
    except Problem as exc:
        return fail(problem_text(exc))
    except AntrianError as exc:
        return fail(str(exc))
    return 0


def admin_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="antrian admin", description="Console administrators.")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser(
        "add", help="add a console admin (or set an admin's password); prints a one-time password"
    )
    add.add_argument("username")
    add.add_argument("--name", help="required for a new admin")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    db_args(add)
    args = p.parse_args(argv)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        made = False
    else:
        password = office_people.one_time_password()
        made = True
    try:
        config = config_from(args.config)
        store = store_for(config, args.db)
        with store.write() as s:
            exists = s.scalar(select(OfficerRow).where(OfficerRow.username == args.username))
            change = office_people.PersonChange(
                username=args.username,
                name=args.name,
                role="admin",
                counters=[],
                password=password,
                active=True,
            )
            known = {c.code for c in site_config(store, config).counters}
            office_people.save(s, change, known, create=exists is None, actor=CLI)
        store.dispose()
    except Problem as exc:
        return fail(problem_text(exc))
    except AntrianError as exc:
        return fail(str(exc))
    print(f"admin {args.username!r} saved; sign in at /console/ on the server")
    if made:
        print("one-time password (shown only now; change it after signing in):")
        print(password)
    return 0
