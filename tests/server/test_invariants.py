"""Property-based test of docs/ARCHITECTURE.md's invariants 1-3 over random operation sequences."""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from server.problems import Problem
from server.queue.rules import QueueService
from server.queue.site import Site
from server.store.db import Store
from server.store.migrate import upgrade
from server.store.tables import CounterRow, EventRow, TicketRow
from shared.config import load_config
from shared.models import TicketStatus
from tests.server.conftest import FakeClock

COUNTERS = ["L03", "L04", "L05", "L06"]  # Dukcapil (KTP/KK/AKTA) and BPJS (JKN)
SERVICES = ["KTP", "KK", "AKTA", "JKN"]
FINAL = {TicketStatus.DONE, TicketStatus.CANCELLED, TicketStatus.TRANSFERRED}


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.store = Store(f"sqlite:///{self.dir.name}/q.sqlite")
        upgrade(self.store)
        self.clock = FakeClock()
        self.queue = QueueService(self.store, Site(load_config(None)), clock=self.clock)
        self.queue.sync_counters()
        self.requests = 0
        self.issued: list[int] = []

    def teardown(self) -> None:
        self.store.dispose()
        self.dir.cleanup()

    def _try(self, fn, *args):  # type: ignore[no-untyped-def]
        try:
            return fn(*args)
        except Problem as exc:
            assert exc.status in (404, 409), exc  # refusals, never crashes
            return None

    @rule(service=st.sampled_from(SERVICES), priority=st.booleans(), repeat=st.booleans())
    def issue(self, service: str, priority: bool, repeat: bool) -> None:
        if not repeat or self.requests == 0:
            self.requests += 1
        got = self._try(self.queue.issue, service, priority, f"req-{self.requests:06d}", None)
        if got is not None and got.created:
            self.issued.append(got.ticket.id)

    @rule(counter=st.sampled_from(COUNTERS))
    def call(self, counter: str) -> None:
        self._try(self.queue.call_next, counter)

    @rule(
        counter=st.sampled_from(COUNTERS),
        action=st.sampled_from(["recall", "start", "finish", "skip", "pause", "resume"]),
    )
    def act(self, counter: str, action: str) -> None:
        self._try(getattr(self.queue, action), counter)

    @rule(counter=st.sampled_from(COUNTERS), service=st.sampled_from(SERVICES))
    def transfer(self, counter: str, service: str) -> None:
        self._try(self.queue.transfer, counter, service)

    @rule(counter=st.sampled_from(COUNTERS), data=st.data())
    def requeue(self, counter: str, data: st.DataObject) -> None:
        if not self.issued:
            return
        with self.store.read() as s:
            codes = sorted(set(s.scalars(select(TicketRow.code))))
        self._try(self.queue.requeue, counter, data.draw(st.sampled_from(codes)))

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        if self.issued:
            tid = data.draw(st.sampled_from(self.issued))
            self._try(lambda: self.queue.cancel(tid, device_id=None, supervisor=True))

    @rule(minutes=st.integers(1, 20))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @invariant()
    def invariants_hold(self) -> None:
        with self.store.read() as s:
            tickets = s.scalars(select(TicketRow)).all()
            counters = s.scalars(select(CounterRow)).all()
            events = s.execute(select(EventRow.seq, EventRow.body).order_by(EventRow.seq)).all()
        # 1. Numbers per service and day unique and gapless in issue order.
        series: dict[tuple[str, object], list[int]] = defaultdict(list)
        for t in sorted(tickets, key=lambda t: t.id):
            if t.transferred_from is None:
                series[(t.issued_service, t.business_day)].append(t.number)
        for numbers in series.values():
            assert numbers == list(range(1, len(numbers) + 1))
        # 2. A ticket is held by at most one counter, and a held ticket is called/serving there.
        held = Counter(c.ticket_id for c in counters if c.ticket_id is not None)
        assert all(n == 1 for n in held.values())
        by_id = {t.id: t for t in tickets}
        for c in counters:
            if c.ticket_id is not None and by_id[c.ticket_id].status in ("called", "serving"):
                assert by_id[c.ticket_id].counter == c.code
        active = [t for t in tickets if t.status in ("called", "serving")]
        assert all(held[t.id] == 1 for t in active)
        # 3. Every ticket is in exactly one known state; seq gapless; each issue logged once.
        assert all(t.status in set(TicketStatus) for t in tickets)
        assert [seq for seq, _ in events] == list(range(1, len(events) + 1))
        logged = Counter(json.loads(b)["ticket"]["id"] for _, b in events if '"ticket.issued"' in b)
        assert set(logged) == {t.id for t in tickets if t.transferred_from is None}
        assert all(n == 1 for n in logged.values())
        assert len(self.issued) == len(logged)


QueueMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
TestQueueInvariants = QueueMachine.TestCase
TestQueueInvariants.pytestmark = [pytest.mark.slow]
