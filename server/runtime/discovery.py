"""Advertise the server as _antrian._tcp.local. over zeroconf (mDNS)."""

from __future__ import annotations

import logging
import socket

import ifaddr
from zeroconf import IPVersion, ServiceInfo, Zeroconf

from shared.models import API_PATH, API_VERSION, SERVICE_TYPE

log = logging.getLogger(__name__)


def _instance_name(site: str, port: int) -> str:
    # Instance labels are at most 63 bytes (RFC 6763 4.1.1); the port keeps two servers apart.
    label = f"{site} ({socket.gethostname()}:{port})".encode()[:63].decode(errors="ignore")
    return f"{label}.{SERVICE_TYPE}"


def _addresses(interfaces: list[str]) -> list[bytes]:
    if interfaces:
        return [socket.inet_aton(a) for a in interfaces]
    # Every IPv4 address of this host except loopback; loopback alone on a box with no LAN.
    found = [
        str(ip.ip)
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if ip.is_IPv4 and not str(ip.ip).startswith("127.")
    ]
    return [socket.inet_aton(a) for a in found or ["127.0.0.1"]]


class Advertiser:
    """Registers the service at start and withdraws it at stop."""

    def __init__(self, site: str, port: int, interfaces: list[str]) -> None:
        self.site = site
        self.port = port
        self.interfaces = interfaces
        self._zc: Zeroconf | None = None
        self.info: ServiceInfo | None = None

    def start(self) -> None:
        self.info = ServiceInfo(
            SERVICE_TYPE,
            _instance_name(self.site, self.port),
            addresses=_addresses(self.interfaces),
            port=self.port,
            properties={"site": self.site, "api": API_VERSION, "path": API_PATH},
        )
        if self.interfaces:
            self._zc = Zeroconf(interfaces=self.interfaces, ip_version=IPVersion.V4Only)
        else:
            self._zc = Zeroconf(ip_version=IPVersion.V4Only)
        self._zc.register_service(self.info, allow_name_change=True)
        log.info("advertising %s on port %d via zeroconf", self.info.name, self.port)

    def stop(self) -> None:
        if self._zc is None:
            return
        try:
            if self.info is not None:
                self._zc.unregister_service(self.info)
        finally:
            self._zc.close()
            self._zc = None
