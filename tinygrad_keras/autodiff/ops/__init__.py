"""The primitives: each a small forward/backward pair on numpy arrays."""
