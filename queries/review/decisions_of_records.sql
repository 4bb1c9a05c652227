-- The review decisions on incoming records of a source, with the person the other record of
-- each pair belongs to now (pairs whose other record is not current are left out). The
-- latest decision on a pair counts. One row per incoming record and other record.
-- incoming: a registered frame with column record_id.
-- $source varchar: the incoming records' source.
with
decisions as (
    select
        source_l as source,
        record_id_l as record_id,
        source_r as other_source,
        record_id_r as other_record_id,
        decision,
        decided_at
    from review_decisions
    union all
    select
        source_r as source,
        record_id_r as record_id,
        source_l as other_source,
        record_id_l as other_record_id,
        decision,
        decided_at
    from review_decisions
),

latest as (
    select
        source,
        record_id,
        other_source,
        other_record_id,
        arg_max(decision, decided_at) as decision
    from decisions
    where source = $source
    group by source, record_id, other_source, other_record_id
)

select distinct
    i.record_id,
    l.decision,
    f.person_key
from incoming as i
inner join latest as l on i.record_id = l.record_id
inner join linkage_features as f
    on l.other_source = f.source and l.other_record_id = f.record_id
where f.ended_batch_id is null
order by i.record_id, f.person_key;
