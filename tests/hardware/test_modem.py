"""The GSM modem at the wire: a pty answering as a real modem does, errors included."""

from __future__ import annotations

import pytest

from hardware.errors import ModemUnavailable, SmsNotConfirmed
from hardware.modem import GsmModem
from tests.notify_wire import FakeModem


def test_a_text_goes_out_in_text_mode() -> None:
    with FakeModem() as fake, GsmModem(fake.path) as modem:
        assert modem.send("081234567890", "Nomor B017 dipanggil ke Loket 5.") == 1
        assert modem.send("085700001111", "kedua") == 2
    assert fake.sent == [("081234567890", "Nomor B017 dipanggil ke Loket 5."),
                         ("085700001111", "kedua")]  # fmt: skip
    assert fake.commands[:3] == ["ATE0", "AT+CMGF=1", 'AT+CMGS="081234567890"']


@pytest.mark.parametrize("mode", ["no_sim", "no_network", "no_smsc"])
def test_a_refusal_is_not_sent(mode: str) -> None:
    with (
        FakeModem(mode) as fake,
        GsmModem(fake.path, command_timeout=1) as modem,
        pytest.raises(ModemUnavailable, match="ERROR"),
    ):
        modem.send("081234567890", "x")
    assert fake.sent == []


def test_an_unplugged_modem_is_unavailable() -> None:
    with FakeModem("silent") as fake, pytest.raises(ModemUnavailable, match="did not answer"):
        GsmModem(fake.path, command_timeout=0.3).open()
    with pytest.raises(ModemUnavailable, match="cannot open"):
        GsmModem("/dev/nonexistent-modem").open()


def test_silence_after_the_text_is_not_confirmed() -> None:
    """The text reached the modem: it may have gone, so the caller must not send it again."""
    with FakeModem("silent_after_text") as fake:
        modem = GsmModem(fake.path, command_timeout=1, send_timeout=0.5)
        with pytest.raises(SmsNotConfirmed):
            modem.send("081234567890", "x")
        modem.close()
    assert fake.taken == [("081234567890", "x")] and fake.sent == []
