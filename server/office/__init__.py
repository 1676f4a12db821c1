"""The office that runs the building: the site in the database, people, devices, audit.

tables.py (the site's rows), definition.py (rows <-> SiteDefinition), rules.py (the
one validator and the day's safety), edits.py (each change as an edit of the site),
live.py (the running server's site), audit.py, seed.py (the TOML as seed and backup),
cli.py (`antrian site`); people.py and devices.py (who may do what).
"""
