"""Kenes — coordination platform for Kazakhstan's public councils."""
