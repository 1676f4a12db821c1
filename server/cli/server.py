"""`antrian server`: the queue server, its listeners (LAN and public), its start and stop."""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import logging
import socket
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from server.cli.common import db_args, fail
from server.cli.settings import config_from, data_dir, db_url
from server.store import identity
from server.store.db import Store
from server.store.opening import cannot_open, open_store, safe_url
from server.store.tables import DeviceRow, OfficerRow
from shared.config import Config
from shared.errors import AntrianError

log = logging.getLogger(__name__)


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
    db_args(p)
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
    p.add_argument(
        "--data-dir",
        help="where the SQLite file lives (with PostgreSQL: the database's identity record)",
    )
    p.add_argument("--ready-file", help="write the server's URL here once it listens")
    p.add_argument(
        identity.FLAG,
        action="store_true",
        help="start although the database is not the one this data directory last "
        "held (missing, empty, another one, or an older copy), and hold this one from now on",
    )
    args = p.parse_args(argv)
    try:
        config = config_from(args.config)
        if not config.agencies:
            return fail("the config has no [[agencies]]; the server needs a site definition")
        host = args.host or config.server.host
        port = config.server.port if args.port is None else args.port
        url = db_url(config, args.db, demo=args.demo, data_flag=args.data_dir)
        store = open_store(
            url,
            serve=True,
            accept_change=args.accept_database_change,
            data_dir=data_dir(config, args.data_dir),
        )
    except AntrianError as exc:
        return fail(str(exc))
    except SQLAlchemyError as exc:  # the server's first reads (identity settles, seq)
        return fail(str(cannot_open(url, exc)))
    socks = []
    configured = config.server.public_port or None  # 0 in the config: no public listener
    public_port = configured if args.public_port is None else args.public_port
    for at, flag in ((port, "--port"), (public_port, "--public-port")):
        if at is None:
            continue
        try:
            socks.append(_listen(host, at))
        except OSError as exc:
            return fail(
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

    from server.access.context import ServerContext
    from server.office.live import start_site
    from server.runtime.app import create_app
    from server.runtime.discovery import Advertiser
    from server.runtime.listeners import server_config

    site = start_site(store, config, demo=args.demo)  # the site's rows; the TOML seeds them
    # the data directory as resolved (flag, environment, config, default): the evidence
    # pack's pictures live under it
    settings = config.server.model_copy(update={"data_dir": str(data_dir(config, args.data_dir))})
    ctx = ServerContext(store=store, site=site, settings=settings)
    ctx.queue.sync_counters()
    app = create_app(ctx)
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    base = f"http://{shown}:{port}"
    log.info("%s: serving %s/api/v1 (database %s)", site.name, base, safe_url(store.url))
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
    server = uvicorn.Server(
        server_config(app)
    )  # every listener's limits: server/runtime/listeners.py
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
    if store.identity_record is not None:
        try:
            identity.record_server(store.url, store.identity_record, safe_url(store.url))
        except (OSError, SQLAlchemyError) as exc:
            log.warning("could not record the database's last seq at stop: %s", exc)
        return
    path = store.guard.path
    if path is None or store.guard.failing is not None:
        return
    try:
        identity.settle(path)
    except (OSError, sqlite3.Error) as exc:
        log.warning("could not record the database's last seq at stop: %s", exc)


def _public_server(app: Any, sock: socket.socket) -> Any:
    """The public listener: the same app behind the allow-list (server/runtime/public.py).

    Its clients come through the site's reverse proxy, so the client address (for the
    booking rate limit) is the one the proxy forwards: X-Forwarded-For is trusted from
    FORWARDED_ALLOW_IPS (uvicorn's; 127.0.0.1 when unset), and only on this listener.
    """
    import uvicorn

    from server.runtime.listeners import server_config
    from server.runtime.public import PublicOnly

    host, port = sock.getsockname()[:2]
    log.info("public listener (booking and ticket pages only) on %s:%s", host, port)
    # The same header limits as the LAN's (server/runtime/listeners.py); the proxy's address only
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
