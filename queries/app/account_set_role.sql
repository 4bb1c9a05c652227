-- Change an account's role. :name text, :role text
update accounts set role = :role
where name = :name
returning name;
