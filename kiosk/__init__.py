"""kiosk role."""
