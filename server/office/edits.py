"""The changes the console and the API make, each as an edit of the whole site.

An edit takes the site as the manager last set it (SiteDefinition.model_dump in
JSON mode) and returns it changed; live.change then validates the result with the
one validator and keeps the day whole. Nothing here checks a value: a missing key
is a 404, everything else is the validator's.
The views of the setup (what the console and GET /admin/... show) are in views.py.
"""

from __future__ import annotations

from typing import Any

from server.office.live import Edit
from server.problems import Problem, not_found

SETTING_SECTIONS = ("site", "queue", "alerts", "booking", "complaints", "notify")
SCOPES = ("site", "agency", "service")


def _agency(data: dict[str, Any], code: str) -> dict[str, Any]:
    for a in data.get("agencies", []):
        if a.get("code") == code:
            return a
    raise not_found("agency", code)


def _service(data: dict[str, Any], code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for a in data.get("agencies", []):
        for svc in a.get("services", []):
            if svc.get("code") == code:
                return a, svc
    raise not_found("service", code)


def _counter(data: dict[str, Any], code: str) -> dict[str, Any]:
    for c in data.get("counters", []):
        if c.get("code") == code:
            return c
    raise not_found("counter", code)


def _taken(kind: str, code: str) -> Problem:
    return Problem(
        409,
        f"{kind}_exists",
        f"Kode {code} sudah dipakai.",
        message_en=f"The code {code} is taken.",
        field=f"{kind}.code",
    )


# -- settings --------------------------------------------------------------------------


def patch_settings(changes: dict[str, dict[str, Any]]) -> Edit:
    """[site], [queue], [alerts], [booking], [notify]: the given fields only."""

    def edit(data: dict[str, Any]) -> dict[str, Any]:
        for section, values in changes.items():
            data.setdefault(section, {}).update(values)
        return data

    return edit


# -- agencies ---------------------------------------------------------------------------


def add_agency(agency: dict[str, Any]) -> Edit:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        code = agency.get("code")
        if any(a.get("code") == code for a in data.get("agencies", [])):
            raise _taken("agencies", str(code))
        data.setdefault("agencies", []).append(dict(agency))
        return data

    return edit


def patch_agency(code: str, changes: dict[str, Any]) -> Edit:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        fields = dict(changes)
        agency = _agency(data, code)
        position = fields.pop("position", None)
        agency.update(fields)
        if position is not None:
            _move(data["agencies"], agency, position)
        return data

    return edit


def delete_agency(code: str) -> Edit:
    """The agency and its services (the day's safety refuses it while they have tickets)."""

    def edit(data: dict[str, Any]) -> dict[str, Any]:
        agency = _agency(data, code)
        data["agencies"].remove(agency)
        return data

    return edit


# -- services -------------------------------------------------------------------------


def add_service(agency_code: str, service: dict[str, Any]) -> Edit:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        code = service.get("code")
        for a in data.get("agencies", []):
            if any(s.get("code") == code for s in a.get("services", [])):
                raise _taken("services", str(code))
        _agency(data, agency_code).setdefault("services", []).append(dict(service))
        return data

    return edit


def patch_service(code: str, changes: dict[str, Any]) -> Edit:
    """A service's fields; `agency` moves it to another agency (its code stays);
    `standard` sets the given parts of its standar pelayanan (null removes it)."""

    def edit(data: dict[str, Any]) -> dict[str, Any]:
        fields = dict(changes)
        agency, svc = _service(data, code)
        move_to = fields.pop("agency", None)
        position = fields.pop("position", None)
        if isinstance(fields.get("standard"), dict):
            fields["standard"] = {**(svc.get("standard") or {}), **fields["standard"]}
        svc.update(fields)
        if move_to is not None and move_to != agency.get("code"):
            target = _agency(data, str(move_to))
            agency["services"].remove(svc)
            target.setdefault("services", []).append(svc)
            agency = target
        if position is not None:
            _move(agency["services"], svc, position)
        return data

    return edit


def delete_service(code: str) -> Edit:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        agency, svc = _service(data, code)
        agency["services"].remove(svc)
        return data

    return edit


# -- counters --------------------------------------------------------------------------


def add_counter(counter: dict[str, Any]) -> Edit:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        code = counter.get("code")
        if any(c.get("code") == code for c in data.get("counters", [])):
            raise _taken("counters", str(code))
        data.setdefault("counters", []).append(dict(counter))
        return data

    return edit


def patch_counter(code: str, changes: dict[str, Any]) -> Edit:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        fields = dict(changes)
        counter = _counter(data, code)
        position = fields.pop("position", None)
        counter.update(fields)
        if position is not None:
            _move(data["counters"], counter, position)
        return data

    return edit


def delete_counter(code: str) -> Edit:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        data["counters"].remove(_counter(data, code))
        return data

    return edit


def _move(items: list[Any], item: Any, position: int) -> None:
    items.remove(item)
    items.insert(max(0, min(int(position), len(items))), item)


# -- schedules --------------------------------------------------------------------------


def _owner(data: dict[str, Any], scope: str, key: str) -> dict[str, Any]:
    if scope == "site":
        return data
    if scope == "agency":
        return _agency(data, key)
    if scope == "service":
        return _service(data, key)[1]
    raise Problem(
        422,
        "invalid_site",
        f"Lingkup {scope} tidak dikenal.",
        message_en=f"unknown scope {scope!r}",
        errors=[{"field": "scope", "message": "Pilihan tidak dikenal.", "message_en": "unknown"}],
    )


def set_schedule(scope: str, key: str, changes: dict[str, Any], *, replace: bool) -> Edit:
    """A scope's own hours: merged into what it has (PATCH) or in place of it (POST).

    An agency or service without hours of its own follows the site's; its first
    hours start from the ones it follows.
    """

    def edit(data: dict[str, Any]) -> dict[str, Any]:
        owner = _owner(data, scope, key)
        current = owner.get("schedule")
        if current is None and not replace:
            current = _followed(data, scope, key)
        merged = {} if replace else dict(current or {})
        merged.update(changes)
        owner["schedule"] = merged
        return data

    return edit


def _followed(data: dict[str, Any], scope: str, key: str) -> dict[str, Any]:
    if scope == "service":
        agency, _ = _service(data, key)
        if agency.get("schedule") is not None:
            return dict(agency["schedule"])
    return dict(data.get("schedule") or {})


def clear_schedule(scope: str, key: str) -> Edit:
    """An agency or service follows the hours above it again."""

    def edit(data: dict[str, Any]) -> dict[str, Any]:
        if scope == "site":
            raise Problem(
                409,
                "site_schedule_required",
                "Jam buka gedung tidak bisa dihapus, hanya diubah.",
                message_en="The site's hours can be changed, not removed.",
                field="schedule",
            )
        owner = _owner(data, scope, key)
        owner["schedule"] = None
        return data

    return edit
