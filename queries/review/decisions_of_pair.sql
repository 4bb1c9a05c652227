-- The decisions already kept on a pair of records, either way round (linkage/review.py
-- keeps one per pair). One row per decision.
-- $source_l, $record_id_l, $source_r, $record_id_r varchar: the pair.
select
    decision,
    decided_by,
    decided_at
from review_decisions
where
    (
        source_l = $source_l and record_id_l = $record_id_l
        and source_r = $source_r and record_id_r = $record_id_r
    )
    or (
        source_l = $source_r and record_id_l = $record_id_r
        and source_r = $source_l and record_id_r = $record_id_l
    )
order by decided_at;
