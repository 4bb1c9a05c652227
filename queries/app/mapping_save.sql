-- Save a source's mapping document. :source text, :mapping text (JSON), :saved_by text
insert or replace into import_mappings (source, mapping, saved_by)
values (:source, :mapping, :saved_by);
