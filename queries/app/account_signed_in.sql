-- A successful sign-in: failures forgotten, time kept. :name text, :now text (ISO UTC)
update accounts
set failed_count = 0, locked_until = null, last_sign_in_at = :now
where name = :name;
