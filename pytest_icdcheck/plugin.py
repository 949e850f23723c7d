"""pytest11 entry point (placeholder)."""
