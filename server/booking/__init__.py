"""Antrean online: booking sessions' places, bookings, check-in at the kiosk, retention."""
