-- reads: persons, registrations, touched_persons, uptake
-- writes: lineage_parts
-- One pass of lineage_rows (see aggregates/aggregates.sql): the rows of every person ($everyone)
-- or of the touched ones, superseded rows included, counted with $sign per import batch,
-- province, source and the month of their date: registrations by their own province and
-- registration date, uptake by the province of the person (persons, as it stands when the
-- pass runs; none for a person without a current registration) and the episode's start.
-- $before bigint: rows added before this batch. $everyone boolean. $sign integer.
insert into lineage_parts
select
    'registrations' as used_for,
    r.batch_id,
    r.province_code,
    r.source,
    last_day(r.registered_on) as month_end,
    count(*) * $sign as row_count
from registrations as r
where
    r.batch_id < $before
    and ($everyone or r.person_key in (select t.person_key from touched_persons as t))
group by r.batch_id, r.province_code, r.source, last_day(r.registered_on)
union all
select
    'uptake' as used_for,
    u.batch_id,
    p.province_code,
    u.source,
    last_day(u.started_on) as month_end,
    count(*) * $sign as row_count
from uptake as u
left join persons as p on u.person_key = p.person_key
where
    u.batch_id < $before
    and ($everyone or u.person_key in (select t.person_key from touched_persons as t))
group by u.batch_id, p.province_code, u.source, last_day(u.started_on);
