"""The office that runs the building: the site's setup kept in the database, applied
live, audited; people and devices.

tables.py (rows), definition.py (rows <-> SiteDefinition), rules.py (the one
validator and the day's safety), audit.py, live.py (the running server's site),
seed.py (the TOML as seed and backup), cli.py (`antrian site`), people.py and
devices.py (officers, console users, kiosks, TVs, survey tablets).
"""
