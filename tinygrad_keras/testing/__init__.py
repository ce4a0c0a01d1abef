"""Helpers for testing ops: hypothesis strategies in ``strategies`` (needs hypothesis)."""
