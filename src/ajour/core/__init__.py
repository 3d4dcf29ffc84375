"""Shared pieces below the domain apps: they import none of them."""
