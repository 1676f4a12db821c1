"""counter role."""
