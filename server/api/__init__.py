"""HTTP and WebSocket routes of API v1."""
