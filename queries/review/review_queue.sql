-- The clerical review queue: pairs of a current record and another person that a data
-- manager should look at. Grain: one row per record and other person (a record may be in
-- two: its id_typo link, and a person scored below the threshold).
-- Each current record is judged by its latest linkage by matching (a record sent again by
-- its source keeps its person, link_method 'same_record': the linkage that put it there
-- counts). kind 'id_typo': it was linked by an ID one typo from a stored one, and the other
-- person is its own (its records of other sources with another ID); kind 'below_threshold':
-- the most probable other person it was not linked to, from $floor up. A pair leaves the
-- queue once a decision names the record and a current record of the other person, or once
-- the two are one person (an id_typo link: the other records have all left it).
-- $floor double: the lowest probability of a below-threshold pair (matching.REVIEW_FLOOR).
-- $provinces varchar[]: both records in these provinces (empty: every province).
with
current_records as (
    select
        source,
        record_id,
        person_key,
        id_hash,
        province_code
    from linkage_features
    where ended_batch_id is null
),

latest_linkage as (
    select
        f.source,
        f.record_id,
        arg_max(
            struct_pack(
                method := r.link_method,
                match_probability := f.match_probability,
                review_person_key := f.review_person_key,
                review_probability := f.review_probability
            ),
            f.batch_id
        ) as linkage
    from linkage_features as f
    inner join registrations as r
        on f.source = r.source and f.record_id = r.record_id and f.batch_id = r.batch_id
    where coalesce(r.link_method, '') <> 'same_record'
    group by f.source, f.record_id
),

pairs as (
    select
        c.source,
        c.record_id,
        c.person_key,
        c.id_hash,
        c.province_code,
        'id_typo' as kind,
        c.person_key as other_person_key,
        l.linkage.match_probability as probability
    from current_records as c
    inner join latest_linkage as l on c.source = l.source and c.record_id = l.record_id
    where l.linkage.method = 'id_typo'
    union all
    select
        c.source,
        c.record_id,
        c.person_key,
        c.id_hash,
        c.province_code,
        'below_threshold' as kind,
        l.linkage.review_person_key as other_person_key,
        l.linkage.review_probability as probability
    from current_records as c
    inner join latest_linkage as l on c.source = l.source and c.record_id = l.record_id
    where
        l.linkage.review_probability >= $floor
        and l.linkage.review_person_key <> c.person_key
),

-- the other person's current records a pair may be shown with: of another source, and for
-- an id_typo link with another ID
others as (
    select
        p.source,
        p.record_id,
        p.kind,
        o.source as other_source,
        o.record_id as other_record_id,
        o.province_code as other_province_code
    from pairs as p
    inner join current_records as o
        on
            p.other_person_key = o.person_key
            and p.source <> o.source
            and (p.kind <> 'id_typo' or o.id_hash is distinct from p.id_hash)
),

decisions as (
    select
        source_l as source,
        record_id_l as record_id,
        source_r as other_source,
        record_id_r as other_record_id
    from review_decisions
    union all
    select
        source_r as source,
        record_id_r as record_id,
        source_l as other_source,
        record_id_l as other_record_id
    from review_decisions
),

decided as (
    select distinct
        o.source,
        o.record_id,
        o.kind
    from others as o
    inner join decisions as d
        on
            o.source = d.source
            and o.record_id = d.record_id
            and o.other_source = d.other_source
            and o.other_record_id = d.other_record_id
),

shown as (
    select distinct
        source,
        record_id,
        kind
    from others
    where
        len($provinces::varchar[]) = 0
        or list_contains($provinces::varchar[], other_province_code)
)

select
    p.kind,
    p.source,
    p.record_id,
    p.person_key,
    p.other_person_key,
    p.probability
from pairs as p
inner join shown as s on p.source = s.source and p.record_id = s.record_id and p.kind = s.kind
anti join decided as d on p.source = d.source and p.record_id = d.record_id and p.kind = d.kind
where len($provinces::varchar[]) = 0 or list_contains($provinces::varchar[], p.province_code)
order by p.probability desc, p.source asc, p.record_id asc, p.kind asc;
