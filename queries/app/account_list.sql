-- Every account, without its hash: one row per account, by name.
select
    name,
    role,
    password_hash is not null as has_password,
    failed_count,
    locked_until,
    created_at,
    last_sign_in_at,
    agency,
    provinces
from accounts
order by name;
