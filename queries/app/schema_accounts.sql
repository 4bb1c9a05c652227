-- App database: local accounts and sign-in lock-out state. Passwords are never stored,
-- only their Argon2 hashes; an account without a hash is an OpenID Connect identity
-- (its name is the e-mail address the provider vouches for) that only carries a role.
-- A scope may limit an account to one agency (a source registry code) and to some
-- provinces ("07,21"); null means every agency, every province (appdb/scopes.py). An app
-- database made before scopes gains those columns (migrate_accounts_*.sql).
create table if not exists accounts (
    name text primary key collate nocase,
    role text not null check (role in ('viewer', 'analyst', 'data_manager', 'admin')),
    password_hash text,
    failed_count integer not null default 0,
    locked_until text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_sign_in_at text,
    agency text,
    provinces text
);
