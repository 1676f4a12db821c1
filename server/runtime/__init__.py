"""The running server: app wiring, listeners, discovery, background loops."""
