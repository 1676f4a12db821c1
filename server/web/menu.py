"""The console's menu: each room adds its pages with `menu(...)` when its module loads.

A page may sit `under` another: the top row names only the sections (one row at 1366 px,
fourteen links wrapped to two or three); a section's own pages show in a row beneath it.
"""

from __future__ import annotations

CONSOLE = ("admin", "supervisor")
ADMIN = ("admin",)
# (order, address, word, roles, under: the section's address or "")
_MENU: list[tuple[int, str, str, tuple[str, ...], str]] = [(0, "/console/", "home", CONSOLE, "")]

Link = tuple[str, str, tuple[str, ...]]


def menu(order: int, href: str, word: str, roles: tuple[str, ...], under: str = "") -> None:
    if all(entry[1] != href for entry in _MENU):
        _MENU.append((order, href, word, roles, under))
        _MENU.sort()


def nav() -> list[Link]:
    """The sections: the top row."""
    return [(href, word, roles) for _, href, word, roles, under in _MENU if not under]


def section_of(path: str) -> str:
    """The section a page belongs to ("" for none)."""
    for _, href, _word, _roles, under in _MENU:
        if href != "/console/" and (path == href or path.startswith(href + "/")):
            return under or href
    return ""


def subnav(path: str) -> list[Link]:
    """The pages of `path`'s section, the section first; empty when it has none."""
    section = section_of(path)
    pages = [(h, w, r) for _, h, w, r, under in _MENU if section and under == section]
    if not pages:
        return []
    return [(h, w, r) for _, h, w, r, _u in _MENU if h == section] + pages
