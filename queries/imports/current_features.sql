-- Whether the store keeps the linkage features of any current record: the encoder that made
-- them must then be the one of incoming files (ingest/importer.py, _encoder_problems).
select count(*) > 0 as any_current
from linkage_features
where ended_batch_id is null;
