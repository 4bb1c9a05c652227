-- Forget one app setting (back to its default). :name text
delete from app_settings
where name = :name;
