-- Remove one account. :name text
delete from accounts
where name = :name
returning name;
