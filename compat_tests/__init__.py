"""The reader matrix. Kept free of reader imports: the orchestrator never loads a reader library."""
