"""An import's checked rows written into the store, by kind (registrations linked first).

Each writer takes the write session's connection, the `importer.Request`, the rows, the
batch id and the progress callback, and returns the batch's statistics.
"""

import concurrent.futures

import pandas as pd
import pyarrow as pa

from ingest import encoded, reference
from linkage import features, pseudonym
from store import storage


def encode_records(typed: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Validated registration rows with their identity encoded: no name, ID or birth date.

    The keyed ID hash and the name and birth-date features (linkage/features.py) replace
    national_id, full_name and birth_date; the birth year stays.
    """
    records = typed.drop(columns=["national_id", "full_name", "birth_date"])
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # DuckDB hashes without the GIL
        ids = pool.submit(pseudonym.hash_ids, key, typed["national_id"].tolist())
        kept = features.encode(typed, key)
        records["id_hash"] = ids.result()
    return pd.concat([records, kept], axis=1)


def _write_registrations(con, request, typed, batch_id, progress) -> dict:
    progress(0.5, "pseudonymising")
    records = encode_records(typed, request.key)
    del typed  # the raw IDs and names go no further
    return write_encoded(con, request, records, batch_id, progress)


def write_encoded(con, request, records, batch_id, progress) -> dict:
    """Link encoded registration records and write them (the raw path ends here too)."""
    from linkage import matching  # Splink: the Board's, never needed by `encode`

    progress(0.6, "linking")
    linked = matching.link(con, request.source, records)
    methods = linked["link_method"].value_counts().to_dict()
    # converted once: DuckDB reads Arrow as it is, but converts a frame's strings every scan
    rows = pa.Table.from_pandas(
        linked.assign(source=request.source, batch_id=batch_id), preserve_index=False
    )
    whole = not request.append
    for name in ("imports/supersede_registrations", "imports/supersede_features"):
        storage.execute_with(
            con, name, rows.select(["record_id"]), source=request.source, batch_id=batch_id,
            whole=whole,
        )  # fmt: skip
    storage.run_statement(con, "imports/add_source", source=request.source)
    storage.append(con, "registrations", rows)
    storage.append(con, "linkage_features", rows)
    storage.set_meta(con, linkage_encoder=encoded.ENCODER_VERSION)
    storage.execute_with(con, "imports/new_person_ids", rows, batch_id=batch_id)
    return {"rows_loaded": len(linked), "link_methods": {k: int(v) for k, v in methods.items()}}


def _write_uptake(con, request, typed, batch_id, progress) -> dict:
    persons = storage.query_with(
        con, "imports/person_of_record", typed[["record_id"]], source=request.source
    )
    person = typed["record_id"].map(
        persons.drop_duplicates("record_id").set_index("record_id")["person_key"]
    )
    rows = typed.assign(person_key=person, source=request.source, batch_id=batch_id)
    storage.execute_with(
        con,
        "imports/supersede_uptake",
        rows,
        source=request.source,
        batch_id=batch_id,
        whole=not request.append,
    )
    storage.append(con, "uptake", rows)
    return {"rows_loaded": len(rows)}


def _write_population(con, request, typed, batch_id, progress) -> dict:
    reference.load_population(con, typed, batch_id)
    return {"rows_loaded": len(typed), "years": sorted(int(y) for y in typed["year"].unique())}


def _write_services(con, request, typed, batch_id, progress) -> dict:
    storage.execute_with(con, "imports/upsert_services", typed)
    return {"rows_loaded": len(typed)}


WRITERS = {
    "registrations": _write_registrations,
    "uptake": _write_uptake,
    "population": _write_population,
    "services": _write_services,
}
