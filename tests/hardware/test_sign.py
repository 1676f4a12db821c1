"""Counter signs: ASCII over a pty, Modbus RTU against pymodbus's server, reconnecting."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.sign import AsciiDriver, CounterSign, ModbusDriver, SignState, crc16_modbus
from shared.devices import SignConfig
from tests.hardware.wire import PtyPeer


def wait_for(predicate: object, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_crc_matches_the_modbus_spec_example() -> None:
    # "read holding registers" 01 03 00 00 00 0A -> CRC C5 CD (Modbus over serial line, 6.2.2)
    assert crc16_modbus(bytes.fromhex("01030000000a")) == bytes.fromhex("c5cd")


def test_ascii_lines() -> None:
    driver = AsciiDriver(SignConfig(ascii_blink_format="B{code}"))
    assert driver.encode(SignState("A001", blink=True)) == b"BA001\r\n"
    assert driver.encode(SignState("A001")) == b"A001\r\n"
    assert driver.encode(SignState("")) == b"\r\n"


def test_modbus_registers() -> None:
    regs = ModbusDriver(SignConfig(modbus_chars=5)).registers(SignState("AB12", blink=True))
    assert regs == [2, 0x4142, 0x3132, 0x2020]


def test_ascii_sign_on_a_pty() -> None:
    peer = PtyPeer().start()
    try:
        with CounterSign(SignConfig(url=peer.port, refresh_seconds=0)) as sign:
            sign.show("A001")
            assert sign.wait_sent(3)
            sign.clear()
            assert sign.wait_sent(3)
            assert wait_for(lambda: peer.received == b"A001\r\n\r\n")
    finally:
        peer.close()


def test_refresh_resends_steady_state() -> None:
    peer = PtyPeer().start()
    try:
        config = SignConfig(url=peer.port, refresh_seconds=0.1, ascii_blink_format="*{code}")
        with CounterSign(config) as sign:
            sign.show("B017")
            assert wait_for(lambda: peer.received.count(b"B017\r\n") >= 2)
        assert peer.received.startswith(b"*B017\r\nB017\r\n")  # blink once, then steady
    finally:
        peer.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LineServer:
    """A TCP serial server (like a ser2net box) that records what it receives."""

    def __init__(self, port: int) -> None:
        self.received = bytearray()
        self._server = socket.create_server(("127.0.0.1", port))
        self._server.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="line-server", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.05)
                while not self._stop.is_set():
                    try:
                        chunk = conn.recv(1024)
                    except TimeoutError:
                        continue
                    if not chunk:
                        break
                    self.received += chunk

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()


def test_sign_unplugged_then_plugged_in_reconnects() -> None:
    port = _free_port()
    config = SignConfig(
        url=f"socket://127.0.0.1:{port}",
        reconnect_seconds=0.1,
        refresh_seconds=0,
        timeout_seconds=0.2,
    )
    with CounterSign(config) as sign:
        sign.show("A001")  # nothing listens yet: must not raise
        assert not sign.wait_sent(0.3)
        assert not sign.connected
        first = LineServer(port)  # plugged in
        try:
            assert sign.wait_sent(3)
            assert wait_for(lambda: b"A001\r\n" in first.received)
        finally:
            first.close()  # unplugged
        sign.show("A002")
        time.sleep(0.3)
        second = LineServer(port)  # plugged in again
        try:
            sign.show("A003")
            assert sign.wait_sent(3)
            assert wait_for(lambda: b"A003\r\n" in second.received)
        finally:
            second.close()


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two linked ptys, like a USB-RS485 adapter wired to the sign (socat from apt)."""
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed")
    a, b = tmp_path / "sign", tmp_path / "app"
    proc = subprocess.Popen(
        ["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: a.exists() and b.exists())
        yield str(a), str(b)
    finally:
        proc.terminate()
        proc.wait(5)


def test_modbus_sign_against_pymodbus_server(pty_pair: tuple[str, str]) -> None:
    pytest.importorskip("pymodbus")
    from pymodbus.client import ModbusSerialClient
    from pymodbus.server import ModbusSerialServer
    from pymodbus.simulator import DataType, SimData, SimDevice

    sign_end, app_end = pty_pair
    device = SimDevice(id=7, simdata=[SimData(0, values=[0] * 16, datatype=DataType.REGISTERS)])
    loop = asyncio.new_event_loop()
    servers: list[ModbusSerialServer] = []

    async def serve() -> None:
        servers.append(ModbusSerialServer(device, port=sign_end, baudrate=9600))
        await servers[0].serve_forever()

    thread = threading.Thread(
        target=loop.run_until_complete, args=(serve(),), name="pymodbus-server"
    )
    thread.start()
    assert wait_for(lambda: servers)
    try:
        config = SignConfig(
            url=app_end,
            driver="modbus",
            modbus_unit=7,
            modbus_address=2,
            modbus_chars=6,
            refresh_seconds=0,
            reconnect_seconds=0.1,
        )
        with CounterSign(config) as sign:
            sign.show("AB012")
            assert sign.wait_sent(5)
            # a register the device does not have: pymodbus answers an exception
            sign.driver = ModbusDriver(config.model_copy(update={"modbus_address": 40}))
            sign.show("A001")
            assert not sign.wait_sent(1)
        client = ModbusSerialClient(port=app_end, baudrate=9600, timeout=1)
        assert client.connect()
        try:
            answer = client.read_holding_registers(2, count=4, device_id=7)
        finally:
            client.close()
        assert answer.registers == [2, 0x4142, 0x3031, 0x3220]  # blink, "AB", "01", "2 "
    finally:
        asyncio.run_coroutine_threadsafe(servers[0].shutdown(), loop).result(5)
        thread.join(5)
        loop.close()
