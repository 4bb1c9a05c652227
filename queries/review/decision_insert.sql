-- Keep one review decision (linkage/review.py).
-- $source_l, $record_id_l, $source_r, $record_id_r varchar: the pair; $decision varchar:
-- 'same' or 'different'; $kind varchar: 'id_typo' or 'below_threshold'; $probability
-- double; $decided_by varchar: the account; $decided_at timestamp (UTC).
insert into review_decisions (
    source_l, record_id_l, source_r, record_id_r, decision, kind, probability, decided_by,
    decided_at
)
values (
    $source_l, $record_id_l, $source_r, $record_id_r, $decision, $kind, $probability,
    $decided_by, $decided_at
);
