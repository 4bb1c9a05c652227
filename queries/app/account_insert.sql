-- Create one account. :name text, :role text, :password_hash text (null: OIDC identity),
-- :agency text (null: every agency), :provinces text ("07,21"; null: every province)
insert into accounts (name, role, password_hash, agency, provinces)
values (:name, :role, :password_hash, :agency, :provinces);
