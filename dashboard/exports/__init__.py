"""Exports: files, workbooks, static images, briefing packs, Parquet and Spark SQL."""
