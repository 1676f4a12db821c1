"""The ticket printer: golden bytes, the virtual preview, serial over a pty, network on loopback."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image

from hardware.errors import PaperOut, PrinterOffline, PrinterUnavailable
from hardware.preview import save_preview
from hardware.printer import Printer, PrinterState, interpret_status
from hardware.ticket import TicketPrint, ticket_bytes
from shared.config import load_config
from shared.devices import PrinterConfig
from shared.models import Ticket, TicketStatus
from tests.hardware.wire import NetworkPrinter, PtyPeer, answer_status

GOLDEN = Path(__file__).parent / "golden"
URL = "http://192.168.1.10:8765/api/v1/tickets/42"


def sample_ticket(**changes: object) -> TicketPrint:
    fields: dict[str, object] = dict(
        site_name="MPP Kabupaten Jombang",
        code="A001",
        agency_name="Dispendukcapil",
        service_name="Perekaman KTP-el",
        issued_at=datetime(2024, 12, 13, 1, 5, tzinfo=UTC),  # 08.05 WIB, a Friday
        priority=False,
        ahead=5,
        estimated_wait_minutes=20,
        status_url=URL,
        footer="Terima kasih atas kunjungan Anda",
    )
    fields.update(changes)
    return TicketPrint(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("paper", [58, 80])
def test_ticket_bytes_match_golden(paper: int) -> None:
    data = ticket_bytes(sample_ticket(), paper)
    golden = GOLDEN / f"ticket_{paper}.escpos"
    if os.environ.get("ANTRIAN_REGOLD"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(data)
    assert data == golden.read_bytes()


def test_ticket_bytes_carry_the_content() -> None:
    data = ticket_bytes(sample_ticket(priority=True), 80)
    assert data.startswith(b"\x1b@")  # printer reset first
    assert b"\x1d!\x55A001\n" in data.replace(b"\x1db\x01\x1bE\x01\x1ba\x01", b"")  # 6x6 code
    assert b"PRIORITAS" in data
    assert b"Jumat, 13 Desember 2024" in data
    assert b"Pukul 08.05 WIB" in data
    assert b"Di depan Anda: 5 orang" in data
    assert b"Perkiraan waktu tunggu: 20 menit" in data
    # native QR: GS ( k, function 80 stores the URL, 81 prints it; no raster image
    assert b"\x1d(k" + bytes([len(URL) + 3, 0]) + b"1P0" + URL.encode() in data
    assert b"\x1d(k\x03\x001Q0" in data
    assert b"\x1dv0" not in data
    assert data.endswith(b"\x1dV\x00") or b"\x1dV" in data[-8:]  # cut
    assert len(data) < 800


def test_unknown_estimate_and_no_url_are_left_out() -> None:
    data = ticket_bytes(sample_ticket(estimated_wait_minutes=None, status_url="", ahead=None))
    assert b"Perkiraan" not in data and b"Di depan" not in data and b"\x1d(k" not in data


def test_first_in_line_is_told_so_not_zero_people_and_zero_minutes() -> None:
    data = ticket_bytes(sample_ticket(ahead=0, estimated_wait_minutes=0))
    assert b"Anda nomor berikutnya" in data
    assert b"0 orang" not in data and b"0 menit" not in data


def test_time_is_the_sites_not_utc() -> None:
    wita = sample_ticket(timezone="Asia/Makassar", zone_label="WITA")
    assert wita.time_line() == "Pukul 09.05 WITA"
    late = sample_ticket(issued_at=datetime(2024, 12, 12, 17, 30, tzinfo=UTC))
    assert late.date_line() == "Jumat, 13 Desember 2024"  # 00.30 WIB is already Friday


def test_from_wire_ticket() -> None:
    site = load_config(None).site
    wire = Ticket(
        id=42,
        code="B017",
        number=17,
        service="KTP",
        service_name="KTP-el",
        agency="DUKCAPIL",
        agency_name="Dispendukcapil",
        priority=True,
        status=TicketStatus.WAITING,
        issued_at=datetime(2024, 12, 13, 1, 5, tzinfo=UTC),
        ahead=3,
        estimated_wait_minutes=12,
        business_day=date(2024, 12, 13),
    )
    page = "/t/AAAAKsE2Jr9mXw1Qd0cUaZ8"
    t = TicketPrint.from_ticket(wire, site, "http://192.168.1.10:8765/", page=page)
    assert t.status_url == "http://192.168.1.10:8765" + page  # the ticket's own page
    public = TicketPrint.from_ticket(wire, site, "https://antrean.jombangkab.go.id", page=page)
    assert public.status_url == "https://antrean.jombangkab.go.id" + page
    # no page to point to (an older server): no QR code rather than a JSON address
    assert TicketPrint.from_ticket(wire, site, "http://192.168.1.10:8765/").status_url == ""
    # a site's own template still gets {id} and {code}
    own = TicketPrint.from_ticket(
        wire, site, "http://192.168.1.10:8765/", URL.replace("42", "{id}")
    )
    assert own.status_url == URL
    assert (t.code, t.priority, t.ahead, t.site_name) == ("B017", True, 3, site.name)
    assert t.footer == site.footer


def test_long_names_wrap_to_the_paper() -> None:
    t = sample_ticket(agency_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu")
    data = ticket_bytes(t, 58)
    for line in data.split(b"\n"):
        text = bytes(b for b in line if 32 <= b < 127)
        assert b"Satu Pintu" not in text or len(text) < 60


def test_virtual_printer_writes_preview_and_bytes(tmp_path: Path) -> None:
    printer = Printer(PrinterConfig(kind="virtual", paper_mm=58, preview_dir=str(tmp_path)))
    assert printer.check().ready
    png = printer.print_ticket(sample_ticket(priority=True))
    assert png is not None and png.suffix == ".png"
    raw = png.with_suffix(".escpos").read_bytes()
    assert raw == ticket_bytes(sample_ticket(priority=True), 58)
    with Image.open(png) as im:
        assert im.width == 384 + 96 and im.height > 700
        # the code is printed large: plenty of black in the top third of the paper
        top = im.convert("L").crop((48, 48, im.width - 48, im.height // 3))
        dark = sum(top.histogram()[:128])
        assert dark > 5000


def test_status_bytes_are_read_carefully() -> None:
    assert interpret_status(0x12, 0x12).state is PrinterState.READY
    assert interpret_status(0x12, 0x1E).state is PrinterState.PAPER_NEAR_END
    assert interpret_status(0x1A, 0x72).state is PrinterState.PAPER_OUT
    assert interpret_status(0x1A, 0x12).state is PrinterState.OFFLINE
    assert interpret_status(None, None).state is PrinterState.UNKNOWN
    assert interpret_status(0x12, None).state is PrinterState.UNKNOWN  # silence is not "fine"
    assert not interpret_status(None, None).ready


def net_config(port: int) -> PrinterConfig:
    return PrinterConfig(
        kind="network", host="127.0.0.1", port=port, status_timeout_seconds=0.3, timeout_seconds=2
    )


@pytest.mark.parametrize(
    ("mode", "state"),
    [
        ("ready", PrinterState.READY),
        ("near_end", PrinterState.PAPER_NEAR_END),
        ("paper_out", PrinterState.PAPER_OUT),
        ("offline", PrinterState.OFFLINE),
        ("slow", PrinterState.UNKNOWN),
        ("garbage", PrinterState.UNKNOWN),
    ],
)
def test_network_printer_status(mode: str, state: PrinterState) -> None:
    with NetworkPrinter(mode) as fake:
        assert Printer(net_config(fake.port)).check().state is state


def test_network_printer_prints_the_exact_bytes() -> None:
    with NetworkPrinter("ready") as fake:
        Printer(net_config(fake.port)).print_ticket(sample_ticket())
        deadline = time.monotonic() + 2
        job = ticket_bytes(sample_ticket())
        while not fake.received.endswith(job) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert fake.received == b"\x10\x04\x01\x10\x04\x04" + job


@pytest.mark.parametrize(("mode", "error"), [("paper_out", PaperOut), ("offline", PrinterOffline)])
def test_network_printer_refuses_to_print(mode: str, error: type[Exception]) -> None:
    with NetworkPrinter(mode) as fake:
        with pytest.raises(error):
            Printer(net_config(fake.port)).print_ticket(sample_ticket())
        assert b"A001" not in fake.received


def test_silent_printer_still_prints_after_the_status_timeout() -> None:
    with NetworkPrinter("slow") as fake:
        start = time.monotonic()
        Printer(net_config(fake.port)).print_ticket(sample_ticket())
        assert 0.5 < time.monotonic() - start < 3  # two queries, 0.3 s each
        deadline = time.monotonic() + 2
        while b"A001" not in fake.received and time.monotonic() < deadline:
            time.sleep(0.01)
        assert b"A001" in fake.received


def test_missing_network_printer_is_unavailable() -> None:
    with NetworkPrinter() as fake:
        port = fake.port
    printer = Printer(net_config(port))
    assert printer.check().state is PrinterState.UNAVAILABLE
    with pytest.raises(PrinterUnavailable):
        printer.print_ticket(sample_ticket())


def test_no_printer_configured() -> None:
    printer = Printer(PrinterConfig(kind="none"))
    assert printer.check().state is PrinterState.NOT_CONFIGURED
    with pytest.raises(PrinterUnavailable):
        printer.print_ticket(sample_ticket())


def test_serial_printer_over_a_pty() -> None:
    pending = bytearray()

    def printer_firmware(chunk: bytes) -> bytes:
        pending.extend(chunk)
        reply = answer_status(pending, "near_end")
        del pending[:-2]
        return reply

    peer = PtyPeer(printer_firmware).start()
    try:
        printer = Printer(
            PrinterConfig(
                kind="serial", serial_port=peer.port, paper_mm=58, status_timeout_seconds=0.5
            )
        )
        assert printer.check().state is PrinterState.PAPER_NEAR_END
        printer.print_ticket(sample_ticket(code="B017"))
        job = ticket_bytes(sample_ticket(code="B017"), 58)
        deadline = time.monotonic() + 2
        while not peer.received.endswith(job) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert peer.received.endswith(job)
    finally:
        peer.close()


def test_file_printer_writes_the_job_and_reports_unknown(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.touch()
    printer = Printer(PrinterConfig(kind="file", device=str(device)))
    assert printer.check().state is PrinterState.UNKNOWN  # a file cannot answer
    printer.print_ticket(sample_ticket())
    assert device.read_bytes().endswith(ticket_bytes(sample_ticket()))


def test_file_printer_missing_device(tmp_path: Path) -> None:
    printer = Printer(PrinterConfig(kind="file", device=str(tmp_path / "nope" / "lp0")))
    with pytest.raises(PrinterUnavailable):
        printer.print_ticket(sample_ticket())


def test_the_agency_line_is_printed_wide_as_well_as_tall() -> None:
    """Double height alone looks like a squeezed, narrow font (ESC ! 0x10); 0x30 is both."""
    data = ticket_bytes(sample_ticket(agency_name="BPJS Ketenagakerjaan"), 80)
    at = data.index(b"BPJS Ketenagakerjaan")
    mode = data.rfind(b"\x1b!", 0, at)
    assert data[mode + 2] == 0x30, data[mode : at + 4]


def test_no_counter_open_is_said_instead_of_an_estimate(tmp_path: Path) -> None:
    t = sample_ticket(ahead=0, estimated_wait_minutes=0, counters_open=0)
    assert t.ahead_line() == "Belum ada loket yang buka untuk layanan ini"  # said once
    data = ticket_bytes(t, 58)
    assert b"Belum ada loket yang buka" in data and b"menit" not in data
    assert sample_ticket(counters_open=2).wait_line() == "Perkiraan waktu tunggu: 20 menit"
    with Image.open(save_preview(t, tmp_path / "t.png", 80)) as image:
        assert image.width > 500


def test_first_in_line_with_no_counter_open_is_not_told_it_is_next() -> None:
    """'Anda nomor berikutnya' above 'Belum ada loket yang buka' contradicted itself."""
    data = ticket_bytes(sample_ticket(ahead=0, estimated_wait_minutes=0, counters_open=0))
    assert b"berikutnya" not in data
    assert data.count(b"Belum ada loket yang buka") == 1
