-- App database: coverage targets per province and programme, set by analysts in the app or
-- imported (`python -m dashboard targets import FILE`). province_code 'KH' is the
-- national target; service_code '*' means covered by any programme. target_rate is a share
-- (0.4 = 40%) of the estimated informal workers to be covered by target_date (ISO date).
create table if not exists targets (
    province_code text not null,
    service_code text not null default '*',
    target_rate real not null check (target_rate > 0 and target_rate <= 1),
    target_date text not null,
    note text,
    set_by text,
    set_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    primary key (province_code, service_code)
);
