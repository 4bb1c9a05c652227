-- One account by name (case-insensitive). :name text
select
    name,
    role,
    password_hash,
    failed_count,
    locked_until,
    created_at,
    last_sign_in_at,
    agency,
    provinces
from accounts
where name = :name;
