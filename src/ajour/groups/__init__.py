"""Group-based CME (DGE groups and their meetings) and quality clusters."""
