-- Every target, national first, then by province and programme.
select
    province_code,
    service_code,
    target_rate,
    target_date,
    note,
    set_by,
    set_at
from targets
order by province_code = 'KH' desc, province_code asc, service_code asc;
