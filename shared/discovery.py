"""Find the queue server on the LAN: zeroconf browse of _antrian._tcp.local.

The server (server/runtime/discovery.py) advertises TXT fields `site`, `api` and
`path`. An explicit URL in the config always wins over discovery.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.api import API_PATH, API_VERSION, SERVICE_TYPE
from shared.errors import ServerUnavailable

if TYPE_CHECKING:
    from zeroconf import ServiceInfo, ServiceStateChange, Zeroconf

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoundServer:
    """One server that answered a browse."""

    name: str
    site: str
    url: str


def normalize_url(url: str) -> str:
    """'host:8765', 'http://host:8765/', '.../api/v1' -> 'http://host:8765'."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url
    return url.removesuffix(API_PATH).rstrip("/")


def _text(props: dict[bytes, bytes | None], key: str) -> str:
    value = props.get(key.encode())
    return value.decode("utf-8", "replace") if value else ""


def _found(info: ServiceInfo, interfaces: list[str] | None) -> FoundServer | None:
    from zeroconf import IPVersion

    props = info.properties or {}
    api = _text(props, "api")
    if api and api != API_VERSION:
        log.warning("ignoring %s: it speaks API v%s, we speak v%s", info.name, api, API_VERSION)
        return None
    addresses = info.parsed_addresses(IPVersion.V4Only)
    if not addresses or not info.port:
        return None
    # Prefer an address on an interface we browsed on; else the first advertised one.
    address = next((a for a in addresses if interfaces and a in interfaces), addresses[0])
    path = _text(props, "path") or API_PATH
    prefix = path.rstrip("/").removesuffix(API_PATH)
    return FoundServer(info.name, _text(props, "site"), f"http://{address}:{info.port}{prefix}")


def browse(
    site: str | None = None,
    timeout: float = 3.0,
    interfaces: list[str] | None = None,
    *,
    first: bool = True,
    cancel: threading.Event | None = None,
) -> list[FoundServer]:
    """Servers answering within `timeout` (matching `site` when given); stop at one if `first`."""
    # imported here: a box given the server's URL never browses and need not load zeroconf
    from zeroconf import (
        DNSQuestionType,
        InterfaceChoice,
        IPVersion,
        ServiceBrowser,
        ServiceStateChange,
        Zeroconf,
    )

    # QM (multicast) questions: the default unicast-response question makes a
    # browse on one host wait about a second (docs/TESTING.md); QM answers in ~0.1 s.
    question = DNSQuestionType.QM
    names: queue.Queue[str] = queue.Queue()

    def on_change(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        # Runs on zeroconf's own thread: only note the name; resolve on ours.
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            names.put(name)

    deadline = time.monotonic() + timeout
    zc_interfaces: Any = interfaces or InterfaceChoice.All
    zc = Zeroconf(interfaces=zc_interfaces, ip_version=IPVersion.V4Only)
    browser = ServiceBrowser(zc, SERVICE_TYPE, handlers=[on_change], question_type=question)
    found: dict[str, FoundServer] = {}
    try:
        while (left := deadline - time.monotonic()) > 0:
            if cancel is not None and cancel.is_set():
                break
            try:
                name = names.get(timeout=min(left, 0.1))
            except queue.Empty:
                continue
            if name in found:
                continue
            info = zc.get_service_info(
                SERVICE_TYPE, name, timeout=max(100, int(left * 1000)), question_type=question
            )
            server = _found(info, interfaces) if info is not None else None
            if server is None:
                continue
            if site and server.site.casefold() != site.strip().casefold():
                log.debug("ignoring server of site %r at %s", server.site, server.url)
                continue
            found[name] = server
            log.info("found server %r (site %r) at %s", name, server.site, server.url)
            if first:
                break
    finally:
        browser.cancel()
        zc.close()
    return list(found.values())


def discover(
    site: str | None = None,
    timeout: float = 3.0,
    interfaces: list[str] | None = None,
    *,
    cancel: threading.Event | None = None,
) -> str | None:
    """The base URL of the first server answering (of `site`, when given), or None."""
    servers = browse(site, timeout, interfaces, first=True, cancel=cancel)
    return servers[0].url if servers else None


class ServerLocator:
    """Where the server is: the explicit URL, else the last one discovery found."""

    def __init__(
        self,
        url: str | None,
        site: str | None,
        interfaces: list[str] | None = None,
        timeout: float = 3.0,
    ) -> None:
        self.url = normalize_url(url) if url else None
        self.site = site or None
        self.interfaces = interfaces
        self.timeout = timeout
        self._found: str | None = None
        self._lock = threading.Lock()

    def locate(self, cancel: threading.Event | None = None) -> str:
        """The server's base URL; raises ServerUnavailable when discovery finds none."""
        if self.url:
            return self.url
        with self._lock:
            if self._found is None:
                self._found = discover(self.site, self.timeout, self.interfaces, cancel=cancel)
            if self._found is None:
                which = f" for site {self.site!r}" if self.site else ""
                raise ServerUnavailable(f"no queue server found on the LAN{which}")
            return self._found

    def forget(self) -> None:
        """Drop the discovered URL so the next locate() browses again (server moved)."""
        with self._lock:
            self._found = None
