-- Upsert one store_meta entry.
-- $key varchar, $value varchar
insert or replace into store_meta (key, value) values ($key, $value);
