-- The mapping document saved for a source, if any. :source text
select mapping
from import_mappings
where source = :source;
