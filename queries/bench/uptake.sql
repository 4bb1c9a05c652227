-- Bench only: every uptake episode, as a pandas app would load it.
-- Grain: one row per episode.
select
    person_key,
    service_code,
    started_on,
    ended_on
from uptake;
