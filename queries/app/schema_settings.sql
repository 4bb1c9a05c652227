-- App database: settings an administrator changes in the app (the suppression threshold).
create table if not exists app_settings (
    name text primary key,
    value text not null,
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_by text
);
