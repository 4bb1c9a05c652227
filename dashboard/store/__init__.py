"""The store: the DuckDB file's lifecycle, its tables and the aggregates kept fresh by writes."""
