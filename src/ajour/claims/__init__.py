"""Claims and their decisions, sample control, appeals and payouts."""
