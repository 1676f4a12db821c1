"""The local queue server, in layers; each imports only those below it (setup.cfg's
[importlinter] contract, checked by `make test`; docs/ARCHITECTURE.md explains them):

    cli/          the command line: one module per `antrian` subcommand of the server
    runtime/      app wiring, listeners, zeroconf, background loops, the tables' schema
    api/ | web/   thin JSON routes | pages; they call the rooms, never each other
    booking/ | skm/ | reports/ | notify/   rooms: rules.py, tables.py, views.py, exports.py
    office/       the room the others may use: the site's setup, people, devices, audit
    access/       tokens, sign-in and out, sessions, rate limits, the request context
    queue/        the queue core: issue, call, states, estimates, events, quotas
    store/        engines, the writer, migrations, core tables, identity, backup
    documents/    PDFs: one Jinja environment, one letterhead and signature block
    problems.py   the errors every layer raises (status, code, both languages)
"""

__version__ = "0.1.0"
