"""Ingest: agency files to validated, mapped rows in the store, and reference data."""
