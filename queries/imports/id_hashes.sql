-- Keyed hashes of normalised national IDs, computed in memory (pseudonym.hash_ids: its own
-- in-memory database, never a store): HMAC-SHA-256 of '<purpose>:<id>' spelt out from
-- SHA-256 (RFC 2104) over the key's inner and outer pads, hex; null for an empty ID. Rows
-- come back in the order of `ids`.
-- ids: a registered table with column id. $inner_pad, $outer_pad blob (64 bytes each),
-- $purpose varchar
select
    case
        when i.id <> ''
            then sha256(
                $outer_pad::blob
                || unhex(sha256($inner_pad::blob || encode($purpose || ':' || i.id)))
            )
    end as id_hash
from ids as i;
