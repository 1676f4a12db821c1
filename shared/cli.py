"""`antrian`: one command line, a subcommand per role.

Each role's module is imported only when its subcommand runs, so the server
box never imports Kivy and a kiosk never imports FastAPI.
"""

from __future__ import annotations

import importlib
import logging
import sys

# subcommand -> (module, function, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "server": ("server.cli.server", "server_main", "run the local queue server"),
    "kiosk": ("kiosk.app", "main", "run the touchscreen kiosk"),
    "counter": ("counter.app", "main", "run the officer's counter terminal"),
    "display": ("display.app", "main", "run the waiting-room TV display"),
    "demo": ("shared.demo", "main", "everything on one machine"),
    "device": (
        "server.cli.people",
        "device_main",
        "add, revoke or list kiosk, display and survey tokens",
    ),
    "officer": ("server.cli.people", "officer_main", "add, disable, remove or list officers"),
    "admin": ("server.cli.people", "admin_main", "add a console admin"),
    "report": ("server.cli.report", "report_main", "reports: daily, summary of a period, SKM"),
    "site": ("server.cli.site", "site_main", "export the site as TOML, or import one"),
    "status": ("server.cli.status", "status_main", "server, devices, printers and counters now"),
    "backup": ("server.cli.backup", "backup_main", "back up (or restore) the SQLite database"),
    "print-test": ("hardware.cli", "print_test_main", "print a test ticket"),
    "announce": ("hardware.cli", "announce_main", "say a call aloud or write the WAV"),
}


ROLES = {"server", "kiosk", "counter", "display", "demo"}


def _usage() -> str:
    lines = ["usage: antrian COMMAND [OPTIONS]   (antrian COMMAND --help for more)", ""]
    lines += [f"  {name:<11} {text}" for name, (_, _, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"antrian: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    # Long-running roles log to stdout for journald; one-shot commands keep stdout for
    # their answer (a token, a CSV) and log to stderr.
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stdout if name in ROLES else sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Libraries that log every request or migration step at INFO would flood the journal.
    for noisy in ("alembic", "httpx", "httpcore", "websockets"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    module_name, func_name, _ = COMMANDS[name]
    func = getattr(importlib.import_module(module_name), func_name)
    result = func(rest)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
