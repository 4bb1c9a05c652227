-- Bench only: DuckDB's profiler on for this connection (a cursor of its own), its figures
-- kept for get_profiling_information() rather than printed (bench/runner.query_phases).
set enable_profiling = 'no_output';
