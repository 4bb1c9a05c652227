-- Replace an account's password hash and clear its lock-out. :name text, :password_hash text
update accounts
set password_hash = :password_hash, failed_count = 0, locked_until = null
where name = :name
returning name;
