"""Builds the demo store: through the agencies' door, or directly at national scale."""

import datetime as dt

import numpy as np

from demo import demo_files, demo_linkage, generator
from ingest import encoded, reference
from store import faults, storage

# Up to this many persons the demo goes through the agencies' door (demo/demo_files.py: files,
# validation, pseudonymisation, linkage); above it, as at national scale, rows are written
# directly, chunk by chunk, so that memory stays bounded and the build takes minutes.
FILE_ROUTE_LIMIT = 500_000


def build(
    people: int, seed: int, as_of: dt.date, path=None, via_files=None, encoded_only=None
) -> dict[str, int]:
    """Build a fresh synthetic store of `people` informal workers and swap it in.

    Only those in a registry (and the IDPoor households' other members) reach the store.

    Args:
        people: informal workers to draw (7,000,000: national scale).
        seed: the random seed.
        as_of: the data date.
        path: the store (default: the configured one).
        via_files: import agency files (default: when people <= FILE_ROUTE_LIMIT).
        encoded_only: whether the store refuses raw registration files (default: as every
            new store, settings.new_stores_encoded_only); the bench's store takes them, to
            time the raw path beside the encoded one.

    Returns:
        Row counts: persons (registered), registrations, uptake; and informal_workers drawn.
    """
    if via_files if via_files is not None else people <= FILE_ROUTE_LIMIT:
        return demo_files.build(people, seed, as_of, path, encoded_only)
    prov = generator.province_profile()
    counts = {"persons": 0, "registrations": 0, "uptake": 0, "informal_workers": people}
    with storage.write_session(path, fresh=True) as con:
        reference.load_catalogues(con)
        scale = people / generator.NATIONAL_PEOPLE
        reference.load_population(con, reference.modelled_population(as_of.year, scale), 1)
        for chunk_no, first in enumerate(range(0, people, generator.CHUNK)):
            rng = np.random.default_rng([seed, chunk_no])
            persons, regs, uptake = generator._chunk(
                rng, min(generator.CHUNK, people - first), first + 1, prov, as_of
            )
            storage.append(con, "registrations", regs)
            storage.append(con, "uptake", uptake)
            kept, ids = demo_linkage.chunk_rows(rng, regs, persons, as_of)
            storage.append(con, "linkage_features", kept)
            storage.append(con, "person_ids", ids)
            counts["persons"] += len(persons)
            counts["registrations"] += len(regs)
            counts["uptake"] += len(uptake)
            faults.point("demo.chunk")
        storage.append(con, "import_batches", generator.batches(con, as_of))
        storage.set_meta(
            con, is_demo="true", data_as_of=as_of.isoformat(), demo_seed=str(seed),
            demo_people=str(people), demo_scale=f"{scale:.6f}", demo_route="direct",
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            linkage_encoder=encoded.ENCODER_VERSION,
        )  # fmt: skip
        if encoded_only is not None:
            storage.set_meta(con, encoded_only="on" if encoded_only else "off")
    return counts
