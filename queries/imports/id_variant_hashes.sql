-- Keyed hashes of the one-deletion variants of normalised national IDs, computed in memory
-- (pseudonym.hash_id_variants: its own in-memory database, never a store): for each ID, the
-- ID with one character left out at each position, each variant's HMAC-SHA-256 of
-- '<purpose>:<variant>' (spelt out as in imports/id_hashes) cut to its first $digits hex
-- digits, distinct, sorted and joined; null for an empty ID. Rows come back in the order of
-- `ids`.
-- ids: a registered table with columns id, position (the row's number). $inner_pad,
-- $outer_pad blob (64 bytes each), $purpose varchar, $digits integer
with
deletions as (
    select
        position,
        id,
        unnest(range(length(id)::bigint)) as deleted
    from ids
),

variants as (
    select
        position,
        substr(id, 1, deleted) || substr(id, deleted + 2) as variant
    from deletions
),

hashed as (
    select
        position,
        left(
            sha256(
                $outer_pad::blob
                || unhex(sha256($inner_pad::blob || encode($purpose || ':' || variant)))
            ),
            $digits
        ) as variant_hash
    from variants
),

joined as (
    select
        position,
        array_to_string(list_sort(list_distinct(list(variant_hash))), '') as id_variants
    from hashed
    group by position
)

select j.id_variants
from ids as i
left join joined as j on i.position = j.position
order by i.position;
