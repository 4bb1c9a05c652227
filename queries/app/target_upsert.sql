-- Set (or replace) the target of a province and programme.
-- :province_code text, :service_code text ('*' = any programme), :target_rate real (share),
-- :target_date text (ISO date), :note text, :set_by text
insert into targets (province_code, service_code, target_rate, target_date, note, set_by)
values (:province_code, :service_code, :target_rate, :target_date, :note, :set_by)
on conflict (province_code, service_code) do update set
    target_rate = excluded.target_rate,
    target_date = excluded.target_date,
    note = excluded.note,
    set_by = excluded.set_by,
    set_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
