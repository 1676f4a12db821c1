"""Antrean online: booking sessions' places, bookings, check-in at the kiosk, retention.

tables.py, rules.py (what may be booked when), places.py (a session's places, exact
under load), bookings.py (book, look up, cancel, check in), views.py (what the pages
and an admin see), retention.py (expiry, erasing personal data).
"""
