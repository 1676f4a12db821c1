"""Messages to waiting visitors who left a phone number: "your turn is near", called,
transferred, the service stopped (docs/ARCHITECTURE.md, "Notifications")."""
