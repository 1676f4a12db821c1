"""Zeroconf discovery between real processes: on loopback, by site name, across namespaces."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.client import ApiClient, EventStream, ServerLocator, discover
from shared.discovery import browse
from shared.errors import ServerUnavailable
from shared.models import Event
from tests.client.conftest import KIOSK, ROOT, ServerProcess, site_config

LO = ["127.0.0.1"]


def unique_site(label: str) -> str:
    # Unique per test run: other tests on this host may advertise too.
    return f"MPP Uji {label} {uuid.uuid4().hex[:6]}"


@pytest.mark.slow
def test_two_servers_are_told_apart_by_site_name(
    tmp_path: Path, server_factory: Callable[..., ServerProcess]
) -> None:
    sites = [unique_site("Satu"), unique_site("Dua")]
    servers = [
        server_factory(
            config=site_config(tmp_path, site=s, interfaces=LO), zeroconf=True, start=False
        )
        for s in sites
    ]
    for server in servers:  # both start at once: each spends ~1.6 s probing its name
        server.launch()
    for server in servers:
        server.wait_ready()
    # A responder multicasts a record at most once a second (RFC 6762 section 6),
    # so a browse right after a server announced itself takes about 1 s.
    for site, server in zip(sites, servers, strict=True):
        t0 = time.monotonic()
        url = discover(site, timeout=5.0, interfaces=LO)
        took = time.monotonic() - t0
        assert url == server.url, (site, url)
        with ApiClient(url) as client:
            assert client.health().site == site
        print(f"\ndiscovered {site!r} in {took * 1000:.0f} ms")
    # Site names match whatever the case and spacing an installer typed.
    assert discover(f"  {sites[0].upper()} ", timeout=5.0, interfaces=LO) == servers[0].url
    assert discover(unique_site("Tiga"), timeout=0.7, interfaces=LO) is None
    found = {s.site: s.url for s in browse(None, timeout=2.5, interfaces=LO, first=False)}
    assert found[sites[0]] == servers[0].url and found[sites[1]] == servers[1].url
    assert discover(None, timeout=5.0, interfaces=LO) is not None


def test_an_explicit_url_wins_without_browsing() -> None:
    locator = ServerLocator("10.1.2.3:8765/api/v1", "MPP Kabupaten Jombang")
    t0 = time.monotonic()
    assert locator.locate() == "http://10.1.2.3:8765"
    assert time.monotonic() - t0 < 0.05  # no zeroconf at all


def test_locator_raises_when_nobody_answers() -> None:
    locator = ServerLocator(None, unique_site("Hilang"), interfaces=LO, timeout=0.5)
    with pytest.raises(ServerUnavailable, match="Hilang"):
        locator.locate()


@pytest.mark.slow
def test_stream_finds_a_server_that_moved(
    tmp_path: Path,
    server_factory: Callable[..., ServerProcess],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same site, same data, new port: the stream browses again and resumes after its seq."""
    from shared import stream as stream_module

    monkeypatch.setattr(stream_module, "REDISCOVER_AFTER", 2)
    site = unique_site("Pindah")
    server = server_factory(config=site_config(tmp_path, site=site, interfaces=LO), zeroconf=True)
    locator = ServerLocator(None, site, interfaces=LO, timeout=3.0)
    seen: list[Event] = []
    stream = EventStream(locator, seen.append)
    stream.start()
    try:
        with ApiClient(server.url, token=KIOSK) as kiosk:
            for _ in range(3):
                kiosk.issue("KTP", False, uuid.uuid4().hex)
        _wait(lambda: stream.last_seq == 3)
        old_url = server.url
        server.kill()
        server.port = 0  # the box came back with another address/port
        server.start()
        assert server.url != old_url
        with ApiClient(server.url, token=KIOSK) as kiosk:
            for _ in range(2):
                kiosk.issue("KK", False, uuid.uuid4().hex)
        _wait(lambda: stream.last_seq == 5, timeout=30)
    finally:
        stream.stop()
    assert [e.seq for e in seen] == [1, 2, 3, 4, 5]
    assert locator.locate() == server.url


def _wait(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- two network namespaces joined by a veth pair (docs/TESTING.md) --------------------


def _can_make_namespaces() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("ip") is not None


@pytest.fixture
def namespaces() -> Iterator[tuple[str, str, str, str]]:
    """(server ns, its address, client ns, its address); the host's own interfaces untouched."""
    if not _can_make_namespaces():
        pytest.skip("needs root and iproute2 for network namespaces")
    tag = uuid.uuid4().hex[:6]
    srv, cli = f"antrian-s-{tag}", f"antrian-c-{tag}"
    octet = int(tag[:2], 16) % 250 + 1
    srv_ip, cli_ip = f"10.213.{octet}.1", f"10.213.{octet}.2"
    steps = [
        ["ip", "netns", "add", srv],
        ["ip", "netns", "add", cli],
        [
            "ip",
            "link",
            "add",
            f"vs{tag}",
            "netns",
            srv,
            "type",
            "veth",
            "peer",
            "name",
            f"vc{tag}",
            "netns",
            cli,
        ],
        ["ip", "-n", srv, "addr", "add", f"{srv_ip}/24", "dev", f"vs{tag}"],
        ["ip", "-n", cli, "addr", "add", f"{cli_ip}/24", "dev", f"vc{tag}"],
        ["ip", "-n", srv, "link", "set", f"vs{tag}", "up"],
        ["ip", "-n", cli, "link", "set", f"vc{tag}", "up"],
        ["ip", "-n", srv, "link", "set", "lo", "up"],
        ["ip", "-n", cli, "link", "set", "lo", "up"],
    ]
    try:
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True)
            if done.returncode != 0:
                pytest.skip(f"cannot set up namespaces: {' '.join(step)}: {done.stderr.strip()}")
        yield srv, srv_ip, cli, cli_ip
    finally:
        for ns in (srv, cli):  # deleting a namespace deletes its end of the veth
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


CLIENT_SCRIPT = """
import sys, time
from shared.client import ApiClient, discover
t0 = time.monotonic()
url = discover(sys.argv[1], timeout=5.0, interfaces=[sys.argv[2]])
took = time.monotonic() - t0
print(url, ApiClient(url).health().site if url else "-", f"{took * 1000:.0f}", sep="|")
"""


@pytest.mark.slow
def test_discovery_between_two_network_namespaces(
    tmp_path: Path,
    server_factory: Callable[..., ServerProcess],
    namespaces: tuple[str, str, str, str],
) -> None:
    srv_ns, srv_ip, cli_ns, cli_ip = namespaces
    site = unique_site("Jaringan")
    config = site_config(tmp_path, site=site, interfaces=[srv_ip])
    server = server_factory(
        config=config, zeroconf=True, host=srv_ip, wrap=["ip", "netns", "exec", srv_ns]
    )
    try:
        done = subprocess.run(
            ["ip", "netns", "exec", cli_ns, sys.executable, "-c", CLIENT_SCRIPT, site, cli_ip],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        server.kill()
    assert done.returncode == 0, done.stderr
    url, seen_site, took = done.stdout.strip().split("|")
    print(f"\ndiscovered across namespaces in {took} ms: {url}")
    assert url == f"http://{srv_ip}:{server.port}" == server.url
    assert seen_site == site
