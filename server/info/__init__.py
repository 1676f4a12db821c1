"""What the MPP publishes: the public information page's view (/info/, GET /api/v1/info)."""
