"""The read side: one function per named query, cached."""
