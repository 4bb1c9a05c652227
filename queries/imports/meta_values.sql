-- Every store_meta entry (key fingerprint, demo flag, data date) as key and value.
select
    key,
    value
from store_meta;
