"""Statistics are computed from claims and activities; roll-up tables live here."""
