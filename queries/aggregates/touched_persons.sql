-- reads: registrations, uptake
-- writes: touched_persons
-- The persons whose rows an import added or ended after batch $since: the only persons
-- whose attributes and cube rows can have changed.
-- $since bigint: the last batch the aggregates include.
create or replace temp table touched_persons as
select person_key from registrations
where batch_id > $since or ended_batch_id > $since
union
select person_key from uptake
where batch_id > $since or ended_batch_id > $since;
