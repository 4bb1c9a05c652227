-- Every registration with the person it was linked to (bench/pairwise.py: the linkage
-- benchmarks score them against the generator's truth). Grain: one row per record.
select
    source,
    record_id,
    person_key
from registrations;
