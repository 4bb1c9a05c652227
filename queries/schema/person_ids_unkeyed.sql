-- person_ids rewritten without its primary-key index (see store/person_ids_keyed).
create table person_ids_unkeyed (
    id_hash varchar not null,
    person_key bigint not null,
    batch_id bigint not null
);

insert into person_ids_unkeyed
select
    id_hash,
    person_key,
    batch_id
from person_ids;

drop table person_ids;

alter table person_ids_unkeyed rename to person_ids;
