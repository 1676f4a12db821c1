"""The two write paths, the writer thread and write(): serialised, group-committed, atomic."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from server.problems import conflict
from server.queue.rules import QueueService
from server.store.checkpoint import WAL_FALLBACK
from server.store.db import Store
from server.store.tables import DeviceRow, EventRow, Meta, TicketRow
from shared.models import Event, TicketStatus
from shared.timeutil import utcnow
from tests import aio


def test_writer_jobs_commit_before_answering_and_a_failure_stays_its_own(
    store: Store, queue: QueueService
) -> None:
    def issue_then_check(n: int) -> int:
        if n % 7 == 3:
            # A refusal after this job already wrote: the job is one savepoint, all undone.
            queue.issue("KTP", False, f"doomed-{n}", None)
            raise conflict("refused", "no")
        return queue.issue("KTP", False, f"req-{n}", None).ticket.number

    futures = [store.submit(issue_then_check, n) for n in range(60)]
    numbers = []
    for n, future in enumerate(futures):
        if n % 7 == 3:
            with pytest.raises(Exception, match="no"):
                future.result(timeout=30)
            continue
        numbers.append(future.result(timeout=30))
        # Answered means committed: a fresh read sees it.
        with store.read() as s:
            assert s.scalar(select(TicketRow.id).where(TicketRow.request_id == f"req-{n}"))
    assert sorted(numbers) == list(range(1, len(numbers) + 1))  # the refused left no gap
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(TicketRow)) == len(numbers)
        seqs = list(s.scalars(select(EventRow.seq).order_by(EventRow.seq)))
        assert seqs == list(range(1, len(numbers) + 1))
        assert s.scalar(select(Meta.value).where(Meta.key == "seq")) == len(numbers)


def test_coroutines_get_their_answers_on_their_loop_after_the_commit(
    store: Store, queue: QueueService
) -> None:
    def issue(n: int) -> int:
        if n % 5 == 2:
            raise conflict("refused", f"no {n}")
        return queue.issue("KTP", False, f"co-{n}", None).ticket.number

    async def main() -> list[object]:
        loop = asyncio.get_running_loop()
        given_up = asyncio.ensure_future(store.submit_async(loop, issue, 100))
        given_up.cancel()  # the caller went away: the others are still answered
        from_thread = store.submit(issue, 200)
        answers = await asyncio.gather(
            *(store.submit_async(loop, issue, n) for n in range(20)), return_exceptions=True
        )
        for n, answer in enumerate(answers):
            if isinstance(answer, int):  # answered means committed: a fresh read sees it
                with store.read() as s:
                    assert s.scalar(select(TicketRow.id).where(TicketRow.request_id == f"co-{n}"))
        assert isinstance(from_thread.result(timeout=30), int)
        return answers

    answers = aio.run(main())
    refused = [a for a in answers if isinstance(a, Exception)]
    assert [str(e) for e in refused] == ["no 2", "no 7", "no 12", "no 17"]
    numbers = sorted(a for a in answers if isinstance(a, int))
    assert len(numbers) == 16 and len(set(numbers)) == 16


def test_an_answer_for_a_closed_loop_does_not_stop_the_writer(
    store: Store, queue: QueueService
) -> None:
    loop = asyncio.new_event_loop()
    gate = threading.Event()
    store.submit(gate.wait, 30)  # holds the writer until the loop is gone
    store.submit_async(loop, queue.issue, "KTP", False, "orphan", None)
    loop.close()
    gate.set()
    after = store.submit(queue.issue, "KTP", False, "after", None).result(timeout=30)
    assert after.ticket.number == 2  # the orphan's ticket was still issued and committed


def test_writer_thread_and_write_callers_interleave_without_deadlock(
    store: Store, queue: QueueService
) -> None:
    """write() may leave a batch open for a writer in line; the writer thread must join it."""

    def through_write(n: int) -> int:
        return queue.issue("INFO", False, f"w-{n}", None).ticket.number

    def through_writer(n: int) -> int:
        return (
            store.submit(queue.issue, "INFO", False, f"s-{n}", None)
            .result(timeout=60)
            .ticket.number
        )

    with ThreadPoolExecutor(12) as pool:
        jobs = [pool.submit(through_write if n % 2 else through_writer, n) for n in range(300)]
        numbers = [j.result(timeout=120) for j in jobs]
    assert sorted(numbers) == list(range(1, 301))
    with store.read() as s:
        states = set(s.scalars(select(TicketRow.status)))
    assert states == {TicketStatus.WAITING}


def test_stop_writer_finishes_what_was_submitted(store: Store, queue: QueueService) -> None:
    futures = [store.submit(queue.issue, "KTP", False, f"r-{n}", None) for n in range(40)]
    store.stop_writer()
    assert [f.result(timeout=0).ticket.number for f in futures] == list(range(1, 41))
    # The writer starts again on the next job.
    assert (
        store.submit(queue.issue, "KTP", False, "after", None).result(timeout=30).ticket.number
        == 41
    )


def test_a_job_failing_inside_the_orm_fails_alone(store: Store, queue: QueueService) -> None:
    """A flush error loses the whole transaction; the writer redoes the others one by one."""

    def duplicate_devices() -> None:
        with store.write() as s:
            for _ in range(2):  # the second breaks the unique name at flush
                s.add(
                    DeviceRow(
                        name="twin", role="kiosk", token_hash=uuid.uuid4().hex, created_at=utcnow()
                    )
                )

    hold = threading.Event()
    store.submit(hold.wait, 10)  # keeps the writer busy so the next jobs share one batch
    before = store.submit(queue.issue, "KTP", False, "before", None)
    broken = store.submit(duplicate_devices)
    after = store.submit(queue.issue, "KTP", False, "after", None)
    hold.set()
    assert before.result(timeout=30).ticket.number == 1
    with pytest.raises(IntegrityError):
        broken.result(timeout=30)
    assert after.result(timeout=30).ticket.number == 2
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(DeviceRow)) == 0
        assert list(s.scalars(select(EventRow.seq).order_by(EventRow.seq))) == [1, 2]


def test_raw_written_tickets_are_stored_as_the_orm_stores_them(
    store: Store, queue: QueueService
) -> None:
    """issue() writes raw SQL (store/rawsql.py); call-next updates the row through the ORM."""
    ticket = queue.issue("KTP", True, "fmt", None).ticket
    queue.open_counter("L03", "demo")  # serves KTP
    assert queue.call_next("L03").ticket is not None
    with store.write_engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT issued_at, queued_at, called_at, business_day, priority FROM tickets"
            f" WHERE id = {ticket.id}"
        ).one()
    issued, queued, called, day, priority = row
    assert type(issued) is type(called) and type(queued) is type(called)
    if isinstance(called, str):  # SQLite: one text format for every timestamp
        assert len(issued) == len(called) == 26
        assert str(day) == ticket.business_day.isoformat()
    assert priority in (1, True)
    with store.read() as s:
        stored = s.get(TicketRow, ticket.id)
        assert stored is not None and stored.issued_at == ticket.issued_at


def test_an_issues_event_and_answer_are_what_the_models_serialize(
    store: Store, queue: QueueService
) -> None:
    """The issued ticket is serialized once, for the answer and spliced into its event."""
    issued = queue.issue("KTP", False, "json-once", None)
    again = queue.issue("KTP", False, "json-once", None)
    with store.read() as s:
        body = s.scalars(select(EventRow.body).where(EventRow.ticket_id == issued.ticket.id)).one()
    event = Event.model_validate_json(body)
    assert event.model_dump_json() == body  # byte for byte what the model writes
    assert event.ticket == issued.ticket
    assert issued.body == again.body == issued.ticket.model_dump_json().encode()


def test_raw_values_are_each_dialects_own_however_they_alternate() -> None:
    """Raw.values remembers each converter's last value; never across converters."""
    from sqlalchemy.dialects import postgresql, sqlite

    from server.store.rawsql import TICKETS, Raw

    at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    raws = []
    for dialect in (sqlite.dialect(), postgresql.dialect(), sqlite.dialect()):
        raw = Raw.__new__(Raw)  # no session needed to convert values
        raw.dialect = dialect
        raws.append(raw)
    got = [r.values(TICKETS, issued_at=at, queued_at=at)["queued_at"] for r in raws * 2]
    assert got[0] == got[2] == "2026-11-30 09:00:00.000000"
    assert got[1] == datetime(2026, 11, 30, 9, 0)  # psycopg takes the naive UTC datetime
    assert got[3:] == got[:3]


def test_the_writer_gets_a_new_connection_when_its_own_is_cut(
    store: Store, queue: QueueService
) -> None:
    """The writer keeps its connection between batches; a cut one must not stop issuing."""
    if store.is_sqlite:
        pytest.skip("a connection cut by the database server: PostgreSQL")

    def issue(n: int) -> int:
        future = store.submit(queue.issue, "KTP", False, f"cut-{n:06d}", None)
        return future.result(30).ticket.number

    assert issue(1) == 1
    with store.read() as s:  # what a restart or an admin's pg_terminate_backend does
        s.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    outcomes: list[int | str] = []
    for n in range(2, 5):
        try:
            outcomes.append(issue(n))
        except Exception as exc:  # the job that met the cut connection
            outcomes.append(type(exc).__name__)
    assert outcomes[-2:] == [2, 3] or outcomes == [2, 3, 4], outcomes
    numbers = [n for n in outcomes if isinstance(n, int)]
    assert numbers == list(range(2, 2 + len(numbers)))  # a failed job took no number


def test_the_wal_is_copied_into_the_database_off_the_write_path(
    store: Store, queue: QueueService
) -> None:
    if not store.is_sqlite:
        pytest.skip("SQLite's write-ahead log")
    checkpointer = store.checkpointer
    assert checkpointer is not None
    with store.write() as s:  # a writer checkpoints only if the checkpointer has stopped
        assert s.execute(text("PRAGMA wal_autocheckpoint")).scalar() == WAL_FALLBACK
    # 200: KTP's walk-in share (its quota of 300 less the 100 booking places)
    futures = [store.submit(queue.issue, "KTP", False, f"wal-{n:06d}", None) for n in range(200)]
    assert [f.result(30).ticket.number for f in futures] == list(range(1, 201))
    runs = checkpointer.runs
    deadline = time.monotonic() + 10
    while checkpointer.runs < runs + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert checkpointer.last is not None
    busy, in_wal, copied = checkpointer.last
    assert checkpointer.runs >= runs + 2 and busy == 0 and copied == in_wal
    store.stop_writer()
    assert "wal-checkpoint" not in [t.name for t in threading.enumerate()]
