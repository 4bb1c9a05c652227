-- Limit an account to an agency and provinces (null: every one). :name text, :agency text,
-- :provinces text ("07,21")
update accounts set agency = :agency, provinces = :provinces
where name = :name
returning name;
