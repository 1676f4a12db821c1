"""display role."""
