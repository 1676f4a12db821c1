"""`antrian print-test` and `antrian announce`: the technician's checks of printer and speakers."""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shared.config import Config, load_config
from shared.errors import ConfigError, HardwareError

if TYPE_CHECKING:
    from hardware.ticket import TicketPrint


def _load(path: str | None) -> Config | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"antrian: {exc}", file=sys.stderr)
        return None


def test_ticket(config: Config) -> TicketPrint:
    """A ticket that looks like a real one, marked as a test, from the site's own config."""
    from hardware.ticket import TicketPrint

    agency = config.agencies[0] if config.agencies else None
    prefix = agency.services[0].prefix if agency else "A"
    server = config.client.server or f"http://antrian.local:{config.server.port}"
    return TicketPrint(
        site_name=config.site.name,
        code=f"{prefix}000",
        agency_name=agency.name if agency else "Uji coba",
        service_name="TIKET UJI COBA PRINTER",
        issued_at=datetime.now(UTC),
        ahead=0,
        estimated_wait_minutes=0,
        status_url=config.printer.status_url.format(
            server=server, id=0, code=f"{prefix}000", page="/t/contoh"
        ),
        footer=config.site.footer,
        timezone=config.site.timezone,
        zone_label=config.site.zone_label,
        logo=config.site.logo,
    )


def print_test_main(argv: list[str]) -> int:
    """Print a test ticket on the configured printer, or say clearly why not."""
    parser = argparse.ArgumentParser(prog="antrian print-test", description=print_test_main.__doc__)
    parser.add_argument("--config", help="config file (default: the bundled sample site)")
    args = parser.parse_args(argv)
    config = _load(args.config)
    if config is None:
        return 2
    from hardware.printer import Printer, PrinterState

    printer = Printer(config.printer)
    print(f"Printer: {printer.describe()}")
    status = printer.check()
    print(
        f"Status: {status.state.value}"
        + (f" (online={status.online}, paper={status.paper})" if status.online is not None else "")
        + (f" - {status.detail}" if status.detail else "")
    )
    if status.state is PrinterState.NOT_CONFIGURED:
        print(
            "No printer is configured: set [printer] kind = usb|serial|network|file|virtual.",
            file=sys.stderr,
        )
        return 1
    if status.state is PrinterState.UNKNOWN:
        print("The printer does not report its status; trying to print anyway.")
    try:
        preview = printer.print_ticket(test_ticket(config))
    except HardwareError as exc:
        print(f"Cannot print: {exc}", file=sys.stderr)
        return 1
    print(f"Test ticket sent{f': preview {preview}' if preview else '.'}")
    return 0


def announce_main(argv: list[str]) -> int:
    """Say a call aloud through the speakers, or write the WAV with --out."""
    parser = argparse.ArgumentParser(prog="antrian announce", description=announce_main.__doc__)
    parser.add_argument("code", help="ticket code, e.g. A001")
    parser.add_argument("--counter", required=True, help="counter code, e.g. L03")
    parser.add_argument("--counter-name", default="", help="e.g. 'Loket 3' (default: from config)")
    parser.add_argument("--out", help="write the WAV here instead of playing it")
    parser.add_argument("--numbers", choices=("digits", "words"), help="override [voice] numbers")
    parser.add_argument("--config", help="config file (default: the bundled sample site)")
    args = parser.parse_args(argv)
    config = _load(args.config)
    if config is None:
        return 2
    from hardware.audio import VoiceRenderer, play_wav, wav_seconds
    from shared.announce import announcement_text

    voice = config.voice
    counter = config.counter_config(args.counter)
    agency = next((a for a in config.agencies if counter and a.code == counter.agency), None)
    text = announcement_text(
        args.code,
        args.counter,
        counter_name=args.counter_name or (counter.name if counter else ""),
        agency=agency.name if agency else "",
        template=voice.template,
        numbers=args.numbers or voice.numbers,
    )
    print(f"Text: {text}")
    try:
        wav = VoiceRenderer(voice).render(text)
    except HardwareError as exc:
        print(f"Cannot render the announcement: {exc}", file=sys.stderr)
        return 1
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wav, out)
        print(f"Wrote {out} ({wav_seconds(out):.1f} s)")
        return 0
    try:
        for _ in range(voice.repeat):
            play_wav(wav)
    except HardwareError as exc:
        print(
            f"Cannot play on this machine: {exc}. Use --out FILE.wav to write the WAV instead.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(print_test_main(sys.argv[1:]))
