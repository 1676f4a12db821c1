"""What the ticket page's address adds to an issue: deriving /t/{token} and splicing it
into the answer's bytes (server/api/kiosk.py issue_ticket), per ticket.

    .venv/bin/python -m bench.page_token [--tickets 200000]

Compare with `server CPU ... ms per ticket` of bench.issue_rate (about 1.2-1.4 ms on
these boxes): the page must stay a rounding error of it. Also checks a token round-trips.
"""

from __future__ import annotations

import argparse
import secrets
import time

from server.queue.pages import TicketPages

# An issue answer's size (a Ticket's JSON is about 400 bytes).
ANSWER = b'{"id":123456,' + b'"x":"' + b"y" * 380 + b'"}'


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--tickets", type=int, default=200_000)
    n = p.parse_args().tickets
    pages = TicketPages(secrets.token_bytes(32))
    started = time.perf_counter()
    for i in range(1, n + 1):
        page = pages.path(i).encode()
        answer = ANSWER[:-1] + b',"page":"' + page + b'"}'
    took = time.perf_counter() - started
    assert answer.endswith(b'"}') and pages.ticket_id(page.decode()[3:]) == n
    started = time.perf_counter()
    for i in range(1, n + 1):
        pages.ticket_id(pages.token(i))
    checked = time.perf_counter() - started
    print(f"page_token: {n} tickets")
    print(f"  derive + splice into the answer: {took / n * 1e6:.2f} µs per issue")
    print(f"  derive + verify (a page view):   {checked / n * 1e6:.2f} µs per token")


if __name__ == "__main__":
    main()
