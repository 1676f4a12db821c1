"""Pengaduan: complaints registered, followed up, answered; their figures (PEKPPP)."""
