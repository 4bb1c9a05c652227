-- Keyed hashes of the one-deletion variants of normalised national IDs, computed in memory
-- (pseudonym.hash_id_variants: its own in-memory database, never a store): for each ID, the
-- ID with one character left out at each position (once per run of a repeated character,
-- whose deletions give one variant), each variant's SHA-256 under the secret prefix
-- $subkey (pseudonym.variant_subkey) cut to its first $digits hex digits, sorted and joined;
-- null for an empty ID. Rows come back in the order of `ids`.
-- ids: a registered table with columns id, position (the row's number). $subkey blob
-- (32 bytes), $digits integer
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
    where deleted = 0 or substr(id, deleted + 1, 1) <> substr(id, deleted, 1)
),

hashed as (
    select
        position,
        left(sha256($subkey::blob || encode(variant)), $digits) as variant_hash
    from variants
),

joined as (
    select
        position,
        string_agg(variant_hash, '' order by variant_hash) as id_variants
    from hashed
    group by position
)

select j.id_variants
from ids as i
left join joined as j on i.position = j.position
order by i.position;
