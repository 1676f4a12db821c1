"""A site change, from the edit to the running server: one transaction, then a swap.

`change` is what the console, the API and the import call: the whole changed
definition goes through the one validator (rules.validate) and the day's safety
(rules.plan), the difference is written as rows with its audit entries, the
site_version in meta goes up and a `site.changed` event is logged, all in one
write transaction; once it commits, a new Site is swapped onto the context
(ServerContext.site, which QueueService reads) and the event is published.

A change made by another process (`antrian site import`) writes the same rows and
bumps site_version; `watch` sees the new version within a second and reloads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from server.office import audit, definition, rules
from server.office.audit import Actor, Entry
from server.office.definition import Pending, Stored
from server.queue import events as ev
from server.queue.site import Site
from server.store.db import Store
from shared.api import EventType
from shared.config import Config, SiteDefinition
from shared.timeutil import business_day, utcnow

if TYPE_CHECKING:
    from server.access.context import ServerContext

log = logging.getLogger(__name__)

Edit = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Outcome:
    """What a change wrote: the site in force now, waiting prefixes, the audit entries."""

    definition: SiteDefinition
    pending: dict[str, Pending] = field(default_factory=dict)
    version: int = 0
    entries: list[Entry] = field(default_factory=list)


def change_rows(s: Session, actor: Actor, now: datetime, edit: Edit) -> Outcome:
    """In the caller's transaction: validate, keep the day whole, write rows and audit.

    `edit` gets the site as the manager last set it (JSON-like, waiting prefixes
    applied) and returns the changed one. Raises SiteInvalid (422) or a 409 Problem;
    the caller's transaction then rolls back, so nothing is half-saved.
    """
    stored = definition.load(s)
    before = stored.target() if stored is not None else None
    data = edit(before.model_dump(mode="json") if before is not None else {})
    if stored is not None:
        today = business_day(stored.definition.site.tz, now)
        rules.refuse_removals(s, stored, data, today)
    target = rules.validate(data)
    if stored is None:
        today = business_day(target.site.tz, now)
    applied, pending = rules.plan(s, stored, target, today)
    entries = audit.diff(before, target, stored.pending if stored else {}, pending)
    if stored is not None and not entries:
        return Outcome(applied, pending, definition.site_version(s), [])
    definition.write(s, stored, applied, pending)
    audit.record(s, actor, now, entries)
    return Outcome(applied, pending, definition.bump_version(s), entries)


def build_site(box: Config, d: SiteDefinition, *, demo: bool, version: int, pending: Any) -> Site:
    """The running server's Site: the database's site in this box's config."""
    starts = [p.start for p in pending.values()]
    return Site(d.config(box), demo=demo, version=version, next_change=min(starts, default=None))


def swap(ctx: ServerContext, site: Site) -> None:
    """Put a newer site in place (an older one, built by a slower writer, is dropped)."""
    if site.version >= ctx.site.version:
        ctx.site = site


def _after_commit(s: Session, ctx: ServerContext, site: Site, now: datetime) -> None:
    # The swap is queued before the event's publication: a client that reloads on the
    # event reads the new site.
    s.info["after_commit"].append(lambda: swap(ctx, site))
    ev.record(s, EventType.SITE_CHANGED, now, publish=ctx.hub.publish)


def change(ctx: ServerContext, actor: Actor, edit: Edit) -> Outcome:
    """A change of the running server's site (blocking: call it from a thread)."""
    now = utcnow()
    with ctx.store.write() as s:
        out = change_rows(s, actor, now, edit)
        if out.entries:
            site = build_site(
                ctx.site.config,
                out.definition,
                demo=ctx.site.demo,
                version=out.version,
                pending=out.pending,
            )
            _after_commit(s, ctx, site, now)
    if out.entries:
        log.info(
            "site changed by %s (%s): %s",
            actor.username,
            actor.source,
            ", ".join(f"{e.action} {e.entity} {e.key}" for e in out.entries[:10]),
        )
    return out


def _seed(s: Session, config: Config, now: datetime) -> Stored:
    seed = Actor("system", "system", "seed")
    change_rows(s, seed, now, lambda _: config.definition().model_dump(mode="json"))
    stored = definition.load(s)
    assert stored is not None
    return stored


def start_site(store: Store, config: Config, *, demo: bool = False) -> Site:
    """At start-up: an empty database takes the site from the TOML; later starts use the
    database (and say so, once, when the TOML's site differs)."""
    now = utcnow()
    with store.write() as s:
        stored = definition.load(s)
        if stored is None:
            stored = _seed(s, config, now)
            log.info("the site was taken from the config into the database (seed)")
        elif stored.target().model_dump(mode="json") != config.definition().model_dump(mode="json"):
            since = stored.since.date().isoformat() if isinstance(stored.since, datetime) else "?"
            log.info(
                "the site is in the database since %s; `antrian site import FILE` to replace it",
                since,
            )
        version = definition.site_version(s)
    today = business_day(stored.definition.site.tz, now)
    in_force, pending = stored.on(today)
    return build_site(config, in_force, demo=demo, version=version, pending=pending)


def site_config(store: Store, config: Config) -> Config:
    """A command's config with the database's site (the TOML's when it holds none)."""
    with store.read() as s:
        stored = definition.load(s)
    if stored is None:
        return config
    in_force, _ = stored.on(business_day(stored.definition.site.tz, utcnow()))
    return in_force.config(config)


def reload(ctx: ServerContext) -> bool:
    """Rebuild the site from the rows (another process changed them, or a waiting prefix
    change is due today); True if a new site was swapped in."""
    now = utcnow()
    with ctx.store.write() as s:
        stored = definition.load(s)
        if stored is None:
            return False
        version = definition.site_version(s)
        in_force, pending = stored.on(business_day(stored.definition.site.tz, now))
        site = build_site(
            ctx.site.config, in_force, demo=ctx.site.demo, version=version, pending=pending
        )
        _after_commit(s, ctx, site, now)
    log.info("site reloaded from the database (version %d)", version)
    return True


def due(ctx: ServerContext, version: int, today: date) -> bool:
    site = ctx.site
    return version > site.version or (site.next_change is not None and today >= site.next_change)


def _version(store: Store) -> int:
    with store.read() as s:
        return definition.site_version(s)


def reload_if_due(ctx: ServerContext) -> bool:
    """A newer site_version in the database, or the day a prefix changes: reload (True)."""
    if due(ctx, _version(ctx.store), business_day(ctx.site.tz, utcnow())):
        return reload(ctx)
    return False
