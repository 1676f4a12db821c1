"""Entry points: `antrian server`, `device`, `officer` (`report` is server/reports/cli.py)."""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import getpass
import logging
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from server import auth, identity
from server.db import Store, sqlite_file
from server.migrate import upgrade
from server.office import devices as office_devices
from server.office import people as office_people
from server.office.audit import Actor
from server.office.live import site_config
from server.problems import Problem
from server.settings import config_from, data_dir, db_url
from server.tables import DeviceRow, OfficerRow
from shared.config import Config
from shared.errors import AntrianError, ConfigError
from shared.timeutil import utcnow

log = logging.getLogger(__name__)


def _fail(message: str) -> int:
    print(f"antrian: {message}", file=sys.stderr)
    return 2


def open_store(config: Config, db: str | None, *, demo: bool = False) -> Store:
    url = db_url(config, db, demo=demo)
    path = sqlite_file(url)
    if path is not None and path.exists():
        identity.check_wal(path)  # before anything opens it to write (server/identity.py)
    store = Store(url)
    try:
        upgrade(store)
    except SQLAlchemyError as exc:
        raise ConfigError(
            f"cannot open the database {_safe(url)}: {getattr(exc, 'orig', None) or exc}"
        ) from exc
    return store


def _db_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="site config (TOML); default: the bundled sample site")
    p.add_argument("--db", help="database URL; default: SQLite in the data directory")


def _two_malloc_arenas() -> None:
    """glibc gives threads malloc arenas of their own, up to eight per core; SQLite's page
    caches, used from the many threads of the thread pool, then fragment over them.
    Two arenas (as MALLOC_ARENA_MAX=2 would) kept a 6,000-ticket day ~10 MB smaller.
    Called before any other thread exists; elsewhere than glibc there is nothing to do."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        log.debug("not glibc: malloc arenas left as they are")


def server_main(argv: list[str]) -> int:
    _two_malloc_arenas()
    p = argparse.ArgumentParser(prog="antrian server", description="Run the local queue server.")
    _db_args(p)
    p.add_argument("--host", help="address to listen on (default from config: 0.0.0.0)")
    p.add_argument("--port", type=int, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--no-zeroconf", action="store_true", help="do not advertise on the LAN")
    p.add_argument(
        "--public-port",
        type=int,
        help="the public listener's port (booking and ticket pages only; default from "
        "config [server] public_port, 0 there = none; here 0 picks a free one)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="sample site open around the clock with the demo credentials",
    )
    p.add_argument("--data-dir", help="where the SQLite file lives")
    p.add_argument("--ready-file", help="write the server's URL here once it listens")
    p.add_argument(
        identity.FLAG,
        action="store_true",
        help="start although the SQLite database is not the one this data directory last "
        "held (missing, empty, another one, or an older copy), and hold this one from now on",
    )
    args = p.parse_args(argv)
    try:
        config = config_from(args.config)
        if not config.agencies:
            return _fail("the config has no [[agencies]]; the server needs a site definition")
        host = args.host or config.server.host
        port = config.server.port if args.port is None else args.port
        url = db_url(config, args.db, demo=args.demo, data_flag=args.data_dir)
        path = sqlite_file(url)
        if path is not None:  # before anything opens it for writing (server/identity.py)
            identity.check_start(path, accept_change=args.accept_database_change)
        store = Store(url)
        upgrade(store)
        if path is not None and store.checkpointer is not None:
            held = identity.read_record(path)
            found = identity.settle(path)
            if held is not None and held != found and args.accept_database_change:
                log.warning(
                    "database change accepted: %s is now database %s at seq %s (was %s at %s)",
                    path,
                    found.database_id,
                    found.seq,
                    held.database_id,
                    held.seq,
                )
            store.checkpointer.keeper = identity.Keeper(path, found)
    except AntrianError as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"cannot open the database {_safe(url)}: {getattr(exc, 'orig', None) or exc}")
    socks = []
    configured = config.server.public_port or None  # 0 in the config: no public listener
    public_port = configured if args.public_port is None else args.public_port
    for at, flag in ((port, "--port"), (public_port, "--public-port")):
        if at is None:
            continue
        try:
            socks.append(_listen(host, at))
        except OSError as exc:
            return _fail(
                f"cannot listen on {host}:{at}: {exc.strerror} "
                f"(is another server running? try {flag})"
            )
    return _serve(config, store, socks[0], args, socks[1] if len(socks) > 1 else None)


def _listen(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP, so asyncio sets TCP_NODELAY on accepted connections (no 40 ms ACK waits).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _serve(
    config: Config,
    store: Store,
    sock: socket.socket,
    args: argparse.Namespace,
    public_sock: socket.socket | None = None,
) -> int:
    import uvicorn

    from server.app import create_app
    from server.context import ServerContext
    from server.discovery import Advertiser
    from server.listeners import server_config
    from server.office.live import start_site

    site = start_site(store, config, demo=args.demo)  # the site's rows; the TOML seeds them
    ctx = ServerContext(store=store, site=site, settings=config.server)
    ctx.queue.sync_counters()
    app = create_app(ctx)
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    base = f"http://{shown}:{port}"
    log.info("%s: serving %s/api/v1 (database %s)", site.name, base, _safe(store.url))
    if args.demo:
        log.info(
            "DEMO mode: kiosk token demo-kiosk, display token demo-display, survey tablet "
            "token demo-survey, officer demo / PIN 123456 at any counter, console %s/console/ "
            "as admin / demo-admin-2026",
            base,
        )
    else:
        _hint_first_steps(store)
    advertiser = None
    if config.server.zeroconf and not args.no_zeroconf:
        advertiser = Advertiser(site.name, port, config.server.zeroconf_interfaces)
        try:
            advertiser.start()
        except OSError as exc:
            log.warning("zeroconf advertisement failed (%s); clients need a URL", exc)
            advertiser = None
    # Start-up's objects (modules, config, the app) live as long as the process: out of
    # the collector's way, a full collection scans only what requests made. Over them it
    # takes 40-150 ms on these boxes, a stall every kiosk waiting at that moment feels.
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(server_config(app))  # every listener's limits: server/listeners.py
    public = None if public_sock is None else _public_server(app.app, public_sock)
    if args.ready_file:
        original = server.startup

        async def startup(sockets: list[socket.socket] | None = None) -> None:
            await original(sockets)
            if public_sock is not None:  # written first: the ready file says both are up
                p_host, p_port = public_sock.getsockname()[:2]
                shown_public = "127.0.0.1" if p_host == "0.0.0.0" else p_host
                ready = Path(args.ready_file + ".public")
                ready.write_text(f"http://{shown_public}:{p_port}\n")
            Path(args.ready_file).write_text(base + "\n")

        server.startup = startup  # type: ignore[method-assign]
    shutdown = server.shutdown

    async def shutdown_then_settle(sockets: list[socket.socket] | None = None) -> None:
        # Here, not after run(): uvicorn raises the SIGTERM it caught again once serve()
        # is over, and the process ends before any code after run() would.
        await shutdown(sockets)
        store.dispose()
        _settle_at_stop(store)

    server.shutdown = shutdown_then_settle  # type: ignore[method-assign]
    try:
        if public is None or public_sock is None:
            server.run(sockets=[sock])
        else:
            assert public_sock is not None
            _run_both(server, sock, public, public_sock)
    finally:
        if advertiser is not None:
            advertiser.stop()
        store.dispose()
    return 0


def _settle_at_stop(store: Store) -> None:
    """A clean stop records the seq the file now holds (unless its storage failed)."""
    path = store.guard.path
    if path is None or store.guard.failing is not None:
        return
    try:
        identity.settle(path)
    except (OSError, sqlite3.Error) as exc:
        log.warning("could not record the database's last seq at stop: %s", exc)


def _public_server(app: Any, sock: socket.socket) -> Any:
    """The public listener: the same app behind the allow-list (server/booking/public.py).

    Its clients come through the site's reverse proxy, so the client address (for the
    booking rate limit) is the one the proxy forwards: X-Forwarded-For is trusted from
    FORWARDED_ALLOW_IPS (uvicorn's; 127.0.0.1 when unset), and only on this listener.
    """
    import uvicorn

    from server.booking.public import PublicOnly
    from server.listeners import server_config

    host, port = sock.getsockname()[:2]
    log.info("public listener (booking and ticket pages only) on %s:%s", host, port)
    # The same header limits as the LAN's (server/listeners.py); the proxy's address only
    # here, and the app's start-up and shut-down run once, on the LAN listener.
    return uvicorn.Server(server_config(PublicOnly(app), lifespan="off", proxy_headers=True))


def _run_both(lan: Any, lan_sock: socket.socket, public: Any, public_sock: socket.socket) -> None:
    """Both uvicorn servers on one event loop; either ending (a signal) ends the other."""

    async def serve() -> None:
        # The public one starts once the app's lifespan ran (the hub bound to this loop).
        other: asyncio.Task[None] | None = None

        async def watch() -> None:
            nonlocal other
            while not lan.started and not lan.should_exit:
                await asyncio.sleep(0.01)
            other = asyncio.create_task(public.serve(sockets=[public_sock]))
            await other
            lan.should_exit = True

        watcher = asyncio.create_task(watch())
        try:
            await lan.serve(sockets=[lan_sock])
        finally:
            public.should_exit = True
            await watcher

    from uvicorn._compat import asyncio_run

    asyncio_run(serve(), loop_factory=lan.config.get_loop_factory())


def _hint_first_steps(store: Store) -> None:
    """On a fresh install, say how to add what the server needs before anyone can use it."""
    with store.read() as s:
        kiosks = s.scalar(select(func.count()).where(DeviceRow.role == "kiosk")) or 0
        officers = s.scalar(select(func.count()).select_from(OfficerRow)) or 0
    if not kiosks:
        log.warning(
            "no kiosk is registered yet: antrian device add kiosk-1 --role kiosk "
            "(then put the printed token in the kiosk's [client] token)"
        )
    if not officers:
        log.warning(
            "no officer can log in yet: antrian officer add USERNAME --name NAME "
            "--pin PIN --counters L01"
        )


def _db_problem(url: str, exc: SQLAlchemyError) -> str:
    """The driver's own words (e.g. 'file is not a database'), without SQLAlchemy's noise."""
    return f"cannot open the database {_safe(url)}: {getattr(exc, 'orig', None) or exc}"


def _safe(url: str) -> str:
    """A database URL without its password, for the log."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}"
    return url


# Changes made on the box's command line, as the audit log names them.
CLI = Actor(getpass.getuser() if hasattr(getpass, "getuser") else "technician", "technician", "cli")


def _problem_text(problem: Problem) -> str:
    """A refusal for the command line: every field's English message."""
    listed = problem.extra.get("errors")
    if isinstance(listed, list) and listed:
        return "; ".join(
            f"{e.get('field')}: {e.get('message_en') or e.get('message')}" for e in listed
        )
    return str(problem)


def device_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="antrian device", description="Kiosk, display and survey tablet tokens."
    )
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="register a device; prints its token (shown once)")
    add.add_argument("name")
    add.add_argument("--role", choices=auth.ROLES_DEVICE, required=True)
    add.add_argument("--counter", help="a survey tablet's counter")
    _db_args(add)
    revoke = sub.add_parser("revoke", help="revoke a device: its token stops working")
    revoke.add_argument("name")
    _db_args(revoke)
    lst = sub.add_parser("list", help="list devices and their last contact")
    _db_args(lst)
    args = p.parse_args(argv)
    try:
        config = config_from(args.config)
        store = open_store(config, args.db)
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
                    return _fail(f"no device {args.name!r}")
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
        return _fail(_problem_text(exc))
    except AntrianError as exc:
        return _fail(str(exc))
    return 0


def officer_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="antrian officer", description="Officer accounts.")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="add an officer, or reset an officer's PIN and counters")
    add.add_argument("username")
    add.add_argument("--name", required=True)
    add.add_argument("--pin", required=True, help="4 to 12 digits")
    add.add_argument("--counters", default="", help="counter codes, e.g. L01,L02")
    add.add_argument("--role", choices=auth.ROLES_OFFICER, default="officer")
    _db_args(add)
    for action, text in (
        ("disable", "disable an officer (their sessions end; they cannot sign in)"),
        ("enable", "enable a disabled officer again"),
        ("remove", "remove an officer (their sessions end)"),
    ):
        one = sub.add_parser(action, help=text)
        one.add_argument("username")
        _db_args(one)
    lst = sub.add_parser("list", help="list officers")
    _db_args(lst)
    args = p.parse_args(argv)
    try:
        config = config_from(args.config)
        store = open_store(config, args.db)
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
        return _fail(_problem_text(exc))
    except AntrianError as exc:
        return _fail(str(exc))
    return 0


def admin_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="antrian admin", description="Console administrators.")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser(
        "add", help="add a console admin (or set an admin's password); prints a one-time password"
    )
    add.add_argument("username")
    add.add_argument("--name", required=True)
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    _db_args(add)
    args = p.parse_args(argv)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        made = False
    else:
        password = office_people.one_time_password()
        made = True
    try:
        config = config_from(args.config)
        store = open_store(config, args.db)
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
        return _fail(_problem_text(exc))
    except AntrianError as exc:
        return _fail(str(exc))
    print(f"admin {args.username!r} saved; sign in at /console/ on the server")
    if made:
        print("one-time password (shown only now; change it after signing in):")
        print(password)
    return 0


__all__ = ["admin_main", "data_dir", "device_main", "officer_main", "server_main"]
