-- Make two persons one (a reviewer said their records are the same person's): every row of
-- the person that goes, superseded ones included, and its ID hashes, now name the one kept;
-- so do the review candidates that named it. The kept person keeps its record key.
-- incoming: a registered frame with gone and kept (person keys), one row per merge.
update registrations as r
set person_key = i.kept
from incoming as i
where r.person_key = i.gone;

update uptake as u
set person_key = i.kept
from incoming as i
where u.person_key = i.gone;

update linkage_features as f
set person_key = i.kept
from incoming as i
where f.person_key = i.gone;

update linkage_features as f
set review_person_key = i.kept
from incoming as i
where f.review_person_key = i.gone;

update person_ids as p
set person_key = i.kept
from incoming as i
where p.person_key = i.gone;

delete from record_keys
where person_key in (select i.gone from incoming as i);
