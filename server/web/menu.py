"""The console's menu: each room adds its pages with `menu(...)` when its module loads."""

from __future__ import annotations

CONSOLE = ("admin", "supervisor")
ADMIN = ("admin",)
# (order, address, word, roles)
_MENU: list[tuple[int, str, str, tuple[str, ...]]] = [(0, "/console/", "home", CONSOLE)]


def menu(order: int, href: str, word: str, roles: tuple[str, ...]) -> None:
    if all(entry[1] != href for entry in _MENU):
        _MENU.append((order, href, word, roles))
        _MENU.sort()


def nav() -> list[tuple[str, str, tuple[str, ...]]]:
    return [(href, word, roles) for _, href, word, roles in _MENU]
