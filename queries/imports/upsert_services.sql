-- Add or update catalogue services; a new service takes the next free service bit.
-- incoming: a registered frame with service_code, name_en, name_km, ministry, pillar.
insert into services (service_code, service_bit, name_en, name_km, ministry, pillar)
select
    i.service_code,
    coalesce(
        s.service_bit,
        (select coalesce(max(x.service_bit) + 1, 0) from services as x)
        + row_number() over (partition by s.service_bit is null order by i.service_code) - 1
    ) as service_bit,
    i.name_en,
    i.name_km,
    i.ministry,
    i.pillar
from incoming as i
left join services as s on i.service_code = s.service_code
on conflict (service_code) do update set
    name_en = excluded.name_en,
    name_km = excluded.name_km,
    ministry = excluded.ministry,
    pillar = excluded.pillar;
