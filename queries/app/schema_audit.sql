-- App database: the audit log (who did what, with which filters, when).
create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    user_name text,
    action text not null,
    detail text
);
