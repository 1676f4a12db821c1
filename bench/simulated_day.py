"""A whole day at a big MPP, compressed: kiosks, 60 counters, 20 displays, one server.

    .venv/bin/python -m bench.simulated_day [--tickets 20000] [--counters 60] [--displays 20]

Real server process (demo mode: every service open, no quota) with a generated
site config of the sample's 12 agencies and N counters; kiosk and counter
processes drive it through shared.client.ApiClient; the displays are
shared.client.EventStream instances. At the end it checks, from the event log
every display received: nothing lost, duplicated or double-called, every
ticket in exactly one final state, every display gapless. Prints wall time and
the server's peak memory (target: under 150 MB).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import Server, machine, sample_config_text
from shared.client import ApiClient, EventStream, ServerLocator
from shared.config import parse_config
from shared.errors import ApiError, ServerUnavailable
from shared.models import Event, EventType, Ticket

KIOSK_TOKEN = "demo-kiosk"
FINAL = {"done", "no_show", "transferred", "cancelled"}


def site_with_counters(count: int) -> str:
    """The sample site with its counters replaced by `count`, spread over the agencies."""
    text = sample_config_text()
    start = text.index("\n[[counters]]") + 1
    end = text.index("\n[", text.rindex("\n[[counters]]") + 1)
    agencies = parse_config(text).agencies
    blocks = []
    for i in range(count):
        agency = agencies[i % len(agencies)]
        services = ", ".join(f'"{s.code}"' for s in agency.services)
        blocks.append(
            f'[[counters]]\ncode = "L{i + 1:02d}"\nname = "Loket {i + 1}"\n'
            f'agency = "{agency.code}"\nservices = [{services}]\n'
        )
    return text[:start] + "\n".join(blocks) + text[end:]


# -- kiosks ------------------------------------------------------------------------


def kiosk_process(url: str, count: int, seed: int, services: list[str], done_q: Any) -> None:
    """Issue `count` tickets; cancel about 1% (a failed print) as a supervisor would."""
    rng = random.Random(seed)
    issued: list[int] = []
    cancelled = 0
    weights = [3 if s in ("KTP", "KK", "JKN", "PKB") else 1 for s in services]
    with ApiClient(url, token=KIOSK_TOKEN) as kiosk, ApiClient(url) as supervisor:
        supervisor.login("demo", "123456", "L01")  # only a supervisor may cancel a demo ticket
        for _ in range(count):
            service = rng.choices(services, weights)[0]
            ticket = _issue(kiosk, service, rng.random() < 0.08)
            issued.append(ticket.id)
            if rng.random() < 0.01:
                try:
                    supervisor.cancel(ticket.id)
                    cancelled += 1
                except ApiError as exc:  # already called by a quick counter
                    if exc.code != "not_waiting":
                        raise
    done_q.put(("kiosk", issued, cancelled))


def _issue(kiosk: ApiClient, service: str, priority: bool) -> Ticket:
    # A saturated server may time a request out: the same request_id makes a retry safe.
    request_id = uuid.uuid4().hex
    for _ in range(4):
        try:
            return kiosk.issue(service, priority, request_id)
        except ServerUnavailable:
            time.sleep(0.2)
    return kiosk.issue(service, priority, request_id)


# -- counters ----------------------------------------------------------------------


@dataclass
class CounterStats:
    actions: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


class WaitingBoard:
    """Waiting tickets per service, refreshed from GET /board by one thread per process.

    Idle officers look at it (as they would at the waiting-room screen) instead of
    pressing 'call' in a loop: 60 counters polling would be most of the server's load.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.waiting: dict[str, int] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="board")
        self.thread.start()

    def _run(self) -> None:
        with ApiClient(self.url, timeout=30) as client:
            while not self.stopping.wait(0.5):
                try:
                    board = client.board(recent=0)
                except (ApiError, ServerUnavailable):
                    continue
                self.waiting = {w.service: w.waiting for w in board.waiting}

    def any_waiting(self, services: list[str]) -> bool:
        if not self.waiting:
            return True  # not read yet
        return any(self.waiting.get(s, 0) > 0 for s in services)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()


def run_counter(
    url: str,
    code: str,
    services: list[str],
    other_services: list[str],
    seed: int,
    issuing_done: Any,
    board: WaitingBoard,
    stats: CounterStats,
) -> None:
    rng = random.Random(seed)
    holding = False
    idle = 0
    with ApiClient(url, timeout=30) as officer:
        officer.login("demo", "123456", code)
        while True:
            late = issuing_done.is_set()
            try:
                answer = officer.call(code)  # finishes what we hold (auto-finish)
                stats.actions["call"] += 1
                holding = answer.ticket is not None
                if answer.ticket is None:
                    idle += 1
                    if late and idle >= 2:
                        break  # nothing new can arrive for our services any more
                    if rng.random() < 0.01:
                        officer.pause(code)
                        officer.resume(code)
                        stats.actions["pause"] += 1
                    # Idle: wait until the board shows a ticket for one of our services.
                    deadline = time.monotonic() + 10
                    while not board.any_waiting(services) and time.monotonic() < deadline:
                        if issuing_done.is_set():
                            break
                        time.sleep(0.2)
                    continue
                idle = 0
                ticket = answer.ticket
                if rng.random() < 0.03:
                    officer.recall(code)
                    stats.actions["recall"] += 1
                roll = rng.random()
                if roll < 0.08:
                    officer.skip(code)
                    holding = False
                    stats.actions["skip"] += 1
                    if not late and rng.random() < 0.3:
                        officer.requeue(code, ticket.code)  # the visitor came back
                        stats.actions["requeue"] += 1
                    continue
                officer.start(code)
                stats.actions["start"] += 1
                if not late and roll > 0.96:
                    officer.transfer(code, rng.choice(other_services))
                    holding = False
                    stats.actions["transfer"] += 1
                elif rng.random() < 0.5:
                    officer.finish(code)
                    holding = False
                    stats.actions["finish"] += 1
                # else: the next call finishes it
            except (ApiError, ServerUnavailable) as exc:
                stats.errors.append(f"{code}: {exc}")
                time.sleep(0.1)
        if holding:
            officer.finish(code)
            stats.actions["finish"] += 1


def counter_process(
    url: str,
    counters: list[tuple[str, list[str], list[str]]],
    seed: int,
    issuing_done: Any,
    done_q: Any,
) -> None:
    stats = CounterStats()
    board = WaitingBoard(url)
    threads = [
        threading.Thread(
            target=run_counter,
            args=(url, code, mine, others, seed * 1000 + i, issuing_done, board, stats),
            name=code,
        )
        for i, (code, mine, others) in enumerate(counters)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    board.stop()
    done_q.put(("counters", dict(stats.actions), stats.errors))


# -- displays and the final check --------------------------------------------------


class Display:
    """One EventStream; the first one keeps what the state check needs."""

    def __init__(self, url: str, keep: bool) -> None:
        self.keep = keep
        self.count = 0
        self.last = 0
        self.out_of_order = 0
        self.log: list[tuple[int, str, int | None, int | None, str | None]] = []
        self.stream = EventStream(ServerLocator(url, None), self.on_event)

    def on_event(self, e: Event) -> None:
        if e.seq != self.last + 1:
            self.out_of_order += 1
        self.last = e.seq
        self.count += 1
        if self.keep:
            t = e.ticket
            self.log.append(
                (
                    e.seq,
                    e.type.value,
                    t.id if t else None,
                    t.transferred_from if t else None,
                    t.counter if t else (e.counter.code if e.counter else None),
                )
            )


def check_states(
    log: list[tuple[int, str, int | None, int | None, str | None]],
) -> tuple[dict[int, str], list[str]]:
    """Replay the event log through the ticket state machine; list every violation."""
    state: dict[int, str] = {}
    holder: dict[int, str] = {}
    holds: dict[str, int] = {}
    bad: list[str] = []

    def move(tid: int, allowed: set[str], new: str, seq: int, kind: str) -> None:
        now = state.get(tid)
        if now not in allowed:
            bad.append(f"seq {seq}: {kind} on ticket {tid} in state {now}")
        state[tid] = new

    def release(tid: int) -> None:
        c = holder.pop(tid, None)
        if c is not None and holds.get(c) == tid:
            del holds[c]

    for seq, kind, tid, moved_from, counter in log:
        if tid is None:
            continue  # counter.paused / counter.resumed
        if kind == EventType.ISSUED:
            if tid in state:
                bad.append(f"seq {seq}: ticket {tid} issued twice")
            state[tid] = "waiting"
        elif kind == EventType.CALLED:
            move(tid, {"waiting"}, "called", seq, kind)
            if counter is None:
                bad.append(f"seq {seq}: call without a counter")
            elif counter in holds:
                bad.append(f"seq {seq}: {counter} called {tid} while holding {holds[counter]}")
            else:
                holds[counter] = tid
                holder[tid] = counter
        elif kind == EventType.RECALLED:
            move(tid, {"called"}, "called", seq, kind)
        elif kind == EventType.SERVING:
            move(tid, {"called"}, "serving", seq, kind)
        elif kind == EventType.DONE:
            move(tid, {"called", "serving"}, "done", seq, kind)
            release(tid)
        elif kind == EventType.NO_SHOW:
            move(tid, {"called"}, "no_show", seq, kind)
            release(tid)
        elif kind == EventType.REQUEUED:
            move(tid, {"no_show"}, "waiting", seq, kind)
        elif kind == EventType.TRANSFERRED:
            if moved_from is None:
                bad.append(f"seq {seq}: transfer without transferred_from")
            else:
                move(moved_from, {"called", "serving"}, "transferred", seq, kind)
                release(moved_from)
            if tid in state:
                bad.append(f"seq {seq}: transfer reused ticket id {tid}")
            state[tid] = "waiting"
        elif kind == EventType.CANCELLED:
            move(tid, {"waiting"}, "cancelled", seq, kind)
    return state, bad


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--tickets", type=int, default=20000)
    p.add_argument("--counters", type=int, default=60)
    p.add_argument("--displays", type=int, default=20)
    p.add_argument("--kiosks", type=int, default=2, help="kiosk processes")
    p.add_argument("--counter-processes", type=int, default=4)
    p.add_argument("--seed", type=int, default=2024)
    args = p.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="antrian-day-"))
    config_path = tmp / "site.toml"
    config_path.write_text(site_with_counters(args.counters), encoding="utf-8")
    config = parse_config(config_path.read_text(encoding="utf-8"))
    services = [s.code for a in config.agencies for s in a.services]
    agency_of = {s.code: a.code for a in config.agencies for s in a.services}

    print(
        f"simulated_day: {args.tickets} tickets, {len(config.agencies)} agencies, "
        f"{args.counters} counters, {args.displays} displays; {machine()}"
    )
    ctx = multiprocessing.get_context("spawn")  # no inherited threads or sockets
    with Server(config=config_path, data_dir=tmp / "data") as server:
        url = server.url
        displays = [Display(url, keep=(i == 0)) for i in range(args.displays)]
        for d in displays:
            d.stream.start()
        done_q = ctx.Queue()
        issuing_done = ctx.Event()
        t0 = time.perf_counter()
        kiosks = [
            ctx.Process(
                target=kiosk_process,
                args=(
                    url,
                    args.tickets // args.kiosks + (k < args.tickets % args.kiosks),
                    args.seed + k,
                    services,
                    done_q,
                ),
            )
            for k in range(args.kiosks)
        ]
        groups: list[list[tuple[str, list[str], list[str]]]] = [
            [] for _ in range(args.counter_processes)
        ]
        for i, c in enumerate(config.counters):
            others = [s for s in services if agency_of[s] != c.agency]
            groups[i % len(groups)].append((c.code, c.services, others))
        counters = [
            ctx.Process(
                target=counter_process, args=(url, g, args.seed + 100 + j, issuing_done, done_q)
            )
            for j, g in enumerate(groups)
        ]
        for proc in kiosks + counters:
            proc.start()
        issued: list[int] = []
        cancelled = 0
        actions: Counter[str] = Counter()
        errors: list[str] = []
        peak = 0
        results = 0
        last_report = time.perf_counter()
        while results < len(kiosks) + len(counters):
            try:
                kind, *payload = done_q.get(timeout=1.0)
            except Exception:  # queue.Empty: report progress, sample memory
                peak = max(peak, server.memory_kb("VmHWM"))
                if time.perf_counter() - last_report > 30:
                    last_report = time.perf_counter()
                    print(
                        f"  ... {time.perf_counter() - t0:.0f} s, seq {displays[0].last}, "
                        f"server RSS {server.memory_kb() // 1024} MB",
                        flush=True,
                    )
                continue
            results += 1
            if kind == "kiosk":
                issued += payload[0]
                cancelled += payload[1]
                if results >= len(kiosks) and len(issued) >= args.tickets:
                    issuing_done.set()
            else:
                actions.update(payload[0])
                errors += payload[1]
            if len(issued) >= args.tickets:
                issuing_done.set()
        wall = time.perf_counter() - t0
        for proc in kiosks + counters:
            proc.join()
        with ApiClient(url) as client:
            final_seq = client.board(recent=0).seq
            waiting_left = sum(w.waiting for w in client.board(recent=0).waiting)
        deadline = time.monotonic() + 60
        while any(d.last < final_seq for d in displays) and time.monotonic() < deadline:
            time.sleep(0.1)
        for d in displays:
            d.stream.stop()
        peak = max(peak, server.memory_kb("VmHWM"))
        rss_end = server.memory_kb()
        # Cross-check a sample of tickets with the server itself.
        states, bad = check_states(displays[0].log)
        rng = random.Random(args.seed)
        sample = rng.sample(sorted(states), min(300, len(states)))
        with ApiClient(url) as client:
            mismatched = [t for t in sample if client.ticket(t).status.value != states[t]]
            report = client.login("demo", "123456", "L01") and client.report_daily()

    issued_events = sum(1 for r in displays[0].log if r[1] == EventType.ISSUED)
    not_final = Counter(s for s in states.values() if s not in FINAL)
    finals = Counter(states.values())
    displays_ok = all(
        d.count == final_seq and d.last == final_seq and d.out_of_order == 0 for d in displays
    )
    problems = []
    if len(set(issued)) != len(issued) or len(issued) != args.tickets:
        problems.append(f"kiosks got {len(issued)} tickets ({len(set(issued))} distinct)")
    if set(issued) - set(states):
        problems.append(f"{len(set(issued) - set(states))} issued tickets never seen in events")
    if issued_events != len(issued):
        problems.append(f"{issued_events} ticket.issued events for {len(issued)} tickets")
    if not_final or waiting_left:
        problems.append(f"not in a final state: {dict(not_final)}; waiting on board {waiting_left}")
    if bad:
        problems.append(f"{len(bad)} state-machine violations, e.g. {bad[:3]}")
    if not displays_ok:
        problems.append(
            "displays: "
            + ", ".join(f"{d.count}/{d.last}/{d.out_of_order}" for d in displays)
            + f" (final seq {final_seq})"
        )
    if mismatched:
        problems.append(f"{len(mismatched)} of {len(sample)} sampled tickets differ on the server")
    served = sum(r.served for r in report.services) if report else 0
    writes = sum(actions.values()) + len(issued)
    print(
        f"  wall time {wall:.0f} s; {final_seq} events ({final_seq / wall:.0f}/s); "
        f"{writes} API calls by counters and kiosks ({writes / wall:.0f}/s)"
    )
    print(
        f"  tickets: {len(issued)} issued, {cancelled} cancelled by kiosks; final states "
        f"{dict(sorted(finals.items()))}; report says served {served}"
    )
    print(f"  counter actions: {dict(sorted(actions.items()))}; refused/failed: {len(errors)}")
    for e in errors[:5]:
        print(f"    {e}")
    print(
        f"  displays: {len(displays)} x {final_seq} events; "
        f"all gapless and duplicate-free: {displays_ok}"
    )
    print(
        f"  server memory: peak (VmHWM) {peak / 1024:.0f} MB, at end {rss_end / 1024:.0f} MB "
        "(target < 150 MB)"
    )
    print(f"  checked {len(sample)} tickets against GET /tickets: {len(mismatched)} differ")
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        return 1
    print("  OK: nothing lost, duplicated or double-called; every ticket in one final state")
    return 0


if __name__ == "__main__":
    sys.exit(main())
