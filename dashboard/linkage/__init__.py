"""Linkage: keyed pseudonyms, privacy-preserving features and Splink matching."""
