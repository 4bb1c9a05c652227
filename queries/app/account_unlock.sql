-- Clear an account's failed sign-ins and lock. :name text
update accounts set failed_count = 0, locked_until = null
where name = :name
returning name;
