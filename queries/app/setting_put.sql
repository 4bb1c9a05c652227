-- Set one app setting. :name text, :value text, :updated_by text
insert into app_settings (name, value, updated_by) values (:name, :value, :updated_by)
on conflict (name) do update set
    value = excluded.value,
    updated_by = excluded.updated_by,
    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now');
