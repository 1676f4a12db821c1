"""The office that runs the building: the site's setup kept in the database, applied
live, audited; people and devices. The room the other rooms may use (audit, the site).

tables.py (rows), definition.py (rows <-> SiteDefinition), rules.py (the one
validator and the day's safety), edits.py (each console or API change as an edit of
the site), live.py (the running server's site), views.py (what the console and
GET /admin/... show), audit.py, seed.py (the TOML as seed and backup), people.py and
devices.py (officers, console users, kiosks, TVs, survey tablets). Its command line is
server/cli/site.py and people.py.
"""
