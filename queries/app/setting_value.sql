-- One app setting. :name text
select
    value,
    updated_at,
    updated_by
from app_settings
where name = :name;
