-- The largest person_key in use (0 for an empty store): new persons take the next ones.
select
    greatest(
        coalesce((select max(r.person_key) from registrations as r), 0),
        coalesce((select max(p.person_key) from person_ids as p), 0)
    ) as max_person_key;
