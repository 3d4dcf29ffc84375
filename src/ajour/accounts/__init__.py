"""People, practices, regions, roles, CME accounts and the append-only ledger."""
