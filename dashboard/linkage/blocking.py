"""The blocking rules of linkage, written once: Splink's rules and the candidate SQL come from them.

A pair of records (l: an incoming record, r: a stored one) is compared only when it meets
one rule of RULES. A rule is declarative (Rule): the columns that must be equal (the same
column on both sides, or an incoming column against a stored one, as the birth date against
the swapped date), and the columns that must be missing on one side (the rules for records
without a date). Every rule but those marked any_id also holds only under ONE_ID (an
incoming record with an ID meets only a stored record whose person has none); an any_id
rule, strict enough that two IDs one typo apart meeting it are one person's, brings a
stored record whatever the IDs, and matching tells the typos from other IDs. From that one
list come:

- splink_rules(): the rules as SQL conditions on l. and r., which matching hands to Splink
  as its blocking rules;
- candidate_sql(): the statement that fetches the stored records meeting a rule with an
  incoming one, which candidates() runs (as Arrow), so that Splink is handed those only and
  not the whole store.

The statement is queries/imports/linkage_candidates.sql with its marked place filled. The
file keeps what does not depend on the rules (which stored records may be candidates, with
$source bound; the columns returned) and is linted like every other query; between its
"blocking rules" markers stands a stub that reads a relation that does not exist, so the
file fails if run unfilled. candidate_sql() puts in its place CTEs generated from RULES:
one per distinct set of incoming columns a rule joins on (the distinct keys among the
incoming records, and per key whether one of its records has no ID, or meets the rule's
missing-column conditions), one left join per distinct set of equal columns (rules that
differ only in their conditions share a join: the four rules on a name token, year,
province and sex take two joins, not four; rules with the same incoming columns share a
CTE), then per rule whether it is met, and `candidates`, the stored records that meet one
under ONE_ID. Building SQL text from the rules is safe because the only identifiers it
holds are the column names of the fixed COLUMNS allow-list (a Rule naming any other is
rejected when it is declared) and the generator's own names; no value reaches the text:
$source stays a bound parameter and the incoming records are a registered relation.
"""

import dataclasses
import functools
import re

import duckdb
import pandas as pd
import pyarrow as pa

import sql

# The feature columns a rule may name: the only column names the generated SQL holds.
BLOCKING_COLUMNS = (
    "token_min_hash",
    "token_max_hash",
    "birth_hash",
    "birth_swap_hash",
    "birth_year",
    "sex",
    "province_code",
    "commune_code",
)
COLUMNS = frozenset(BLOCKING_COLUMNS)


@dataclasses.dataclass(frozen=True)
class Rule:
    """A blocking rule, met by an incoming record (l) and a stored one (r) when all hold.

    Attributes:
        equal: the columns present and equal on both sides; a pair (incoming column,
            stored column) compares two columns.
        missing_incoming: columns missing in the incoming record.
        missing_stored: columns missing in the stored record.
        any_id: the rule holds whatever the IDs (not under ONE_ID): for rules strict
            enough that a pair meeting them with two IDs one typo apart is one person.
    """

    equal: tuple[str | tuple[str, str], ...]
    missing_incoming: tuple[str, ...] = ()
    missing_stored: tuple[str, ...] = ()
    any_id: bool = False

    def __post_init__(self) -> None:
        """Reject a rule that names a column outside COLUMNS, or that is never met.

        Raises:
            ValueError: if the rule names another column, has no equal column, or wants a
                column both equal and missing.
        """
        incoming, stored = {left for left, _ in self.pairs}, {right for _, right in self.pairs}
        named = incoming | stored | set(self.missing_incoming) | set(self.missing_stored)
        if not self.pairs or not named <= COLUMNS:
            raise ValueError(f"a rule compares columns of {sorted(COLUMNS)}: {self}")
        if incoming & set(self.missing_incoming) or stored & set(self.missing_stored):
            raise ValueError(f"a rule wanting a column both equal and missing: {self}")

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The (incoming column, stored column) pairs that must be equal."""
        return tuple((c, c) if isinstance(c, str) else c for c in self.equal)


# Each rule pairs the birth date with a name token, the commune, or the province and sex;
# or a name token with the birth year and the commune; or both name tokens with the
# commune, or with the year, province and sex: so that a block stays small at national scale
# (some 240 persons share a birth date among 7 million; the demo's name tokens are each
# shared by one in twenty to thirty, a pair of them by one in a thousand, a commune by some
# 4,000). The same first and last tokens and commune find garbled dates and missing sexes;
# the birth date and commune, missing sexes with other names. Records without a date, or a
# year, have rules of their own, and these records are few. A given name replaced by a
# nickname may change which token sorts first: the date is also paired with the tokens
# crossed. A date equal to the other's swapped one needs one rule, not two: the swap of a
# swap is the date.
PLACE = ("province_code", "sex")
TOKENS = ("token_min_hash", "token_max_hash")
CROSSED = (("token_min_hash", "token_max_hash"), ("token_max_hash", "token_min_hash"))
SWAPPED = ("birth_hash", "birth_swap_hash")
RULES = (
    Rule(("birth_hash", "token_min_hash")),
    Rule(("birth_hash", "token_max_hash")),
    Rule(("birth_hash", CROSSED[0])),
    Rule(("birth_hash", CROSSED[1])),
    Rule(("birth_hash", *PLACE)),
    Rule(("birth_hash", "commune_code")),
    Rule((SWAPPED, *PLACE)),
    Rule(("token_min_hash", "birth_year", "commune_code")),
    Rule(("token_max_hash", "birth_year", "commune_code")),
    Rule((*TOKENS, "birth_year", *PLACE)),
    Rule((*TOKENS, "commune_code")),
    Rule(("token_min_hash", "birth_year", *PLACE), missing_incoming=("birth_hash",)),
    Rule(("token_max_hash", "birth_year", *PLACE), missing_incoming=("birth_hash",)),
    Rule(("token_min_hash", "birth_year", *PLACE), missing_stored=("birth_hash",)),
    Rule(("token_max_hash", "birth_year", *PLACE), missing_stored=("birth_hash",)),
    Rule((*TOKENS, "province_code"), missing_incoming=("birth_year",)),
    Rule((*TOKENS, "province_code"), missing_stored=("birth_year",)),
    # two IDs one typo apart (linkage.matching tells, and links them as id_typo)
    Rule(("birth_hash", "token_min_hash", "province_code"), any_id=True),
    Rule(("birth_hash", "token_max_hash", "province_code"), any_id=True),
    Rule((SWAPPED, *TOKENS), any_id=True),
)
# A person has one ID, and an incoming record still unlinked has no ID that is stored (else
# it was linked by it): so an incoming record with an ID may only be the person of a stored
# record whose person has no ID. `keyed` is 1 for an incoming record with an ID and for a
# stored record of a person with one, else missing (matching._compact). In the candidate SQL
# the same condition reads: the stored person has no ID and some incoming record meets a
# rule with it, or an incoming record without an ID does (the `candidates` CTE).
ONE_ID = "(l.keyed IS NULL OR r.keyed IS NULL)"


def condition(rule: Rule) -> str:
    """The rule as an SQL condition on l. and r. (without ONE_ID)."""
    terms = [f"l.{c} IS NULL" for c in rule.missing_incoming]
    terms += [f"r.{c} IS NULL" for c in rule.missing_stored]
    terms += [f"l.{left} = r.{right}" for left, right in rule.pairs]
    return " AND ".join(terms)


def splink_rules() -> list[str]:
    """Splink's blocking rules: each rule of RULES under ONE_ID (but an any_id rule)."""
    return [condition(rule) if rule.any_id else f"{condition(rule)} AND {ONE_ID}" for rule in RULES]


# The place in imports/linkage_candidates.sql that candidate_sql() fills: the lines from the
# begin marker to the end marker, both included.
MARKED = re.compile(r"^-- blocking rules: begin\b.*?^-- blocking rules: end\b[^\n]*$", re.S | re.M)


def _keys_cte(name: str, columns: tuple[str, ...], conditions: set[tuple[str, ...]]) -> str:
    """A CTE of the distinct incoming keys over these columns, with flags per condition.

    For no condition, `unkeyed`: whether a record of the key has no ID; for each incoming
    condition (the columns missing), missing_<columns>: whether a record of the key meets
    it, and missing_<columns>_unkeyed: whether one such record has no ID.
    """
    aggregates = []
    for missing in sorted(conditions):
        if not missing:
            aggregates.append("bool_or(id_hash is null) as unkeyed")
            continue
        met, flag = " and ".join(f"{c} is null" for c in missing), _flag(missing)
        aggregates.append(f"bool_or({met}) as {flag}")
        aggregates.append(f"bool_or({met} and id_hash is null) as {flag}_unkeyed")
    items = ",\n".join(f"        {item}" for item in [*columns, *aggregates])
    return f"{name} as (\n    select\n{items}\n    from incoming\n    group by all\n)"


def _flag(missing: tuple[str, ...]) -> str:
    return "missing_" + "_".join(missing)


def _met(rule: Rule, alias: str) -> str:
    """Whether the stored record `f` meets the rule through its join `alias`.

    Null when no incoming record meets the rule with it, else whether one of those has no
    ID (an any_id rule: true).
    """
    terms = [f"f.{c} is null" for c in rule.missing_stored]
    value = f"{alias}.unkeyed"
    if rule.missing_incoming:
        terms.append(f"{alias}.{_flag(rule.missing_incoming)}")
        value = f"{alias}.{_flag(rule.missing_incoming)}_unkeyed"
    if rule.any_id:
        terms += [] if rule.missing_incoming else [f"{alias}.unkeyed is not null"]
        value = "true"
    return f"case when {' and '.join(terms)} then {value} end" if terms else value


def generated_ctes() -> str:
    """The CTEs that fill the marked place of imports/linkage_candidates.sql.

    They read `stored` (the template's CTE: the stored records that may be candidates, with
    `keyed`) and `incoming`, and end with `candidates`: the stored records that meet a rule
    under ONE_ID. Rules that join on the same incoming columns share the CTE of their keys
    (by_<columns>), and rules with the same equal columns (differing in their conditions)
    share a join (j1, j2, ...).
    """
    keys = {}  # incoming columns -> (CTE name, columns in the rule's order, conditions)
    joins = {}  # equal pairs -> (join alias, pairs, CTE name)
    met = []  # per rule, h1, h2, ...: whether it is met (_met)
    for i, rule in enumerate(RULES, start=1):
        columns = tuple(dict.fromkeys(left for left, _ in rule.pairs))
        new_key = ("by_" + "_".join(columns), columns, set())
        name, _, conditions = keys.setdefault(frozenset(columns), new_key)
        conditions.add(rule.missing_incoming)
        new_join = (f"j{len(joins) + 1}", rule.pairs, name)
        alias, _, _ = joins.setdefault(frozenset(rule.pairs), new_join)
        met.append(f"        {_met(rule, alias)} as h{i}")
    lines = ["matched as (", "    select", "        f.*,", ",\n".join(met), "    from stored as f"]
    for alias, pairs, name in joins.values():
        on = [f"f.{right} = {alias}.{left}" for left, right in pairs]
        lines += [f"    left join {name} as {alias}", "        on", f"            {on[0]}"]
        lines += [f"            and {term}" for term in on[1:]]
    lines.append(")")
    # ONE_ID: a rule met through any incoming record for a person without an ID, else
    # through one without an ID.
    names = [f"h{i}" for i in range(1, len(RULES) + 1)]
    candidates = [
        "candidates as (",
        "    select *",
        "    from matched",
        "    where",
        "        (",
        "            not keyed",
        f"            and coalesce({', '.join(names)}) is not null",
        "        )",
        *(f"        or {h}" for h in names),
        ")",
    ]
    ctes = [_keys_cte(*key) for key in keys.values()]
    ctes += ["\n".join(lines), "\n".join(candidates)]
    return "-- blocking rules: generated by linkage.blocking\n" + ",\n\n".join(ctes)


@functools.cache
def candidate_sql() -> str:
    """imports/linkage_candidates.sql with the CTEs of RULES in its marked place."""
    template = sql.load_query("imports/linkage_candidates")
    filled, found = MARKED.subn(lambda _: generated_ctes(), template)
    if found != 1:
        raise ValueError("imports/linkage_candidates.sql lacks its one marked place")
    return filled


def candidates(
    con: duckdb.DuckDBPyConnection, incoming: pa.Table | pd.DataFrame, source: str
) -> pa.Table:
    """The stored records of other sources that meet a rule with an incoming record.

    One row per person and feature combination, with the FEATURES columns, person_key and
    `keyed` (whether the person has an ID).

    Args:
        con: a connection to the store.
        incoming: the unlinked incoming records' FEATURES columns.
        source: the incoming records' source (its own records are never candidates).
    """
    con.register("incoming", incoming)
    try:
        return con.sql(candidate_sql(), params={"source": source}).to_arrow_table()
    finally:
        con.unregister("incoming")
