"""Services of the sync engine: every write the engine makes goes through one of these."""
