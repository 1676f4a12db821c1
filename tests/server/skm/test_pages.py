"""Ticket page tokens: derived with the site's secret, checked by deriving them again."""

from __future__ import annotations

import base64
import hmac

import pytest

from server.queue.pages import MAC_BYTES, TicketPages
from server.store.db import Store

SECRET = bytes(range(32))


def test_a_token_is_the_id_and_its_hmac_sha256() -> None:
    pages = TicketPages(SECRET)
    token = pages.token(42)
    raw = base64.urlsafe_b64decode(token + "==")
    assert raw[:4] == (42).to_bytes(4, "big")
    assert raw[4:] == hmac.digest(SECRET, raw[:4], "sha256")[:MAC_BYTES]
    assert len(token) == 22 and pages.path(42) == "/t/" + token


@pytest.mark.parametrize("ticket_id", [1, 2, 255, 65_536, 2**31 - 1, 2**32 - 1, 2**32, 2**40])
def test_tokens_round_trip(ticket_id: int) -> None:
    pages = TicketPages(SECRET)
    assert pages.ticket_id(pages.token(ticket_id)) == ticket_id


def test_other_sites_forged_and_odd_tokens_are_not_tickets() -> None:
    pages = TicketPages(SECRET)
    other = TicketPages(bytes(reversed(SECRET)))
    token = pages.token(7)
    assert other.ticket_id(token) is None
    flipped = bytearray(base64.urlsafe_b64decode(token + "=="))
    flipped[-1] ^= 1
    assert pages.ticket_id(base64.urlsafe_b64encode(bytes(flipped)).decode().rstrip("=")) is None
    # the id of another ticket with this one's MAC
    raw = base64.urlsafe_b64decode(token + "==")
    swapped = (8).to_bytes(4, "big") + raw[4:]
    assert pages.ticket_id(base64.urlsafe_b64encode(swapped).decode().rstrip("=")) is None
    # a short id written long is not a second address of the same ticket
    long_id = (7).to_bytes(8, "big")
    long_mac = hmac.digest(SECRET, long_id, "sha256")[:MAC_BYTES]
    assert pages.ticket_id(base64.urlsafe_b64encode(long_id + long_mac).decode()) is None
    for odd in ("", "7", "A" * 22, token + "=", token + "A", "é" * 22, "/" * 22, token[:-1]):
        assert pages.ticket_id(odd) is None, odd


def test_every_token_has_one_spelling() -> None:
    pages = TicketPages(SECRET)
    token = pages.token(99)
    # the last base64 character carries 2 spare bits: other values decode to the same bytes
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for c in alphabet:
        other = token[:-1] + c
        if other != token and base64.urlsafe_b64decode(other + "==") == base64.urlsafe_b64decode(
            token + "=="
        ):
            assert pages.ticket_id(other) is None


def test_the_secret_is_made_once_and_kept(store: Store) -> None:
    first = TicketPages.load(store)
    again = TicketPages.load(store)
    assert first.token(5) == again.token(5)
    assert first.form_key(first.token(5)) == again.form_key(again.token(5))
    assert first.form_key(first.token(5)) != first.form_key(first.token(6))
    other_site = TicketPages.load(store, site_id=2)
    assert other_site.token(5) != first.token(5)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        TicketPages(b"short")
