-- App database: import mappings saved on the Import page, one document per source.
create table if not exists import_mappings (
    source text primary key,
    mapping text not null,
    saved_by text,
    saved_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
