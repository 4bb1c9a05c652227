-- Create one account. :name text, :role text, :password_hash text (null: OIDC identity)
insert into accounts (name, role, password_hash) values (:name, :role, :password_hash);
