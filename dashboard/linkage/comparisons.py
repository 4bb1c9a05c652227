"""The Splink model of linkage: how a pair of records is compared, level by level.

Each comparison is a null level (a value missing on one side: neutral), then levels tried
in order, each an SQL condition on the pair (_l: the incoming record, _r: the stored one)
with its m = P(level | same person) and u = P(level | different persons), stated rather
than trained (linkage/matching.py says why). The conditions read the columns matching
gives Splink (matching._compact): the CLK as 64-bit words and its bit count, keyed hashes
as integer codes, the birth date's variants as 32-bit integers, the ID variants as text.
"""

from linkage import features

# Splink is given each CLK as 64-bit words (clk0, clk1, ...) and its count of set bits
# (clk_bits), and each keyed hash as a small integer code (_compact): comparing integers is
# several times faster than casting 64-byte blobs to bit strings and joining on hex text.
CLK_WORDS = features.CLK_BITS // 64
DICE = (
    "(2.0 * ("
    + " + ".join(f"bit_count(clk{i}_l & clk{i}_r)" for i in range(CLK_WORDS))
    + ") / (clk_bits_l + clk_bits_r))"
)
# Keyed hashes compared with each other share one code list (the ID hash is only tested for
# missing: it becomes 1 or missing). The date's variants become one 32-bit integer each
# (bv0, bv1, ...: features.DATE_DIGITS masked in turn, then year-month, month-day).
CODED = [("token_min_hash", "token_max_hash"), ("birth_hash", "birth_swap_hash")]
BIRTH_WORDS = features.BIRTH_VARIANTS


def _comparison(name: str, null_column: str, levels: list[tuple]) -> dict:
    """A Splink comparison: a null level, then (SQL condition, label, m, u) levels."""
    null = f"{null_column}_l IS NULL OR {null_column}_r IS NULL"
    return {
        "output_column_name": name,
        "comparison_levels": [
            {"sql_condition": null, "label_for_charts": "missing", "is_null_level": True},
            *(
                {"sql_condition": sql, "label_for_charts": label,
                 "m_probability": m, "u_probability": u}
                for sql, label, m, u in levels
            ),
        ],
    }  # fmt: skip


ONE_DATE_MISSING = "(birth_hash_l IS NULL OR birth_hash_r IS NULL)"
ONE_COMMUNE_MISSING = "(commune_code_l IS NULL OR commune_code_r IS NULL)"
TOKEN_SHARED = (
    "(token_min_hash_l IN (token_min_hash_r, token_max_hash_r)"
    " OR token_max_hash_l IN (token_min_hash_r, token_max_hash_r))"
)
ONE_DIGIT_OFF = "(" + " OR ".join(f"bv{i}_l = bv{i}_r" for i in range(BIRTH_WORDS - 2)) + ")"
SAME_YEAR_MONTH, SAME_MONTH_DAY = (f"bv{i}_l = bv{i}_r" for i in (BIRTH_WORDS - 2, BIRTH_WORDS - 1))
VARIANT = "'.{" + str(features.VARIANT_DIGITS) + "}'"  # one variant's hex digits
ONE_TYPO = (
    f"list_has_any(regexp_extract_all(id_variants_l, {VARIANT}),"
    f" regexp_extract_all(id_variants_r, {VARIANT}))"
)
# m = P(level | same person), u = P(level | different persons); each column sums to 1.
COMPARISONS = [
    _comparison("name", "clk_bits", [
        (f"{DICE} >= 0.9", "name Dice >= 0.9", 0.78, 0.002),
        (f"{DICE} >= 0.75", "name Dice >= 0.75", 0.12, 0.009),
        # a given name replaced by a nickname: one token kept, the other resembling it
        (f"{DICE} >= 0.6 AND {TOKEN_SHARED}", "name Dice >= 0.6, a token shared", 0.05, 0.03),
        (f"{DICE} >= 0.55", "name Dice >= 0.55", 0.01, 0.05),
        (TOKEN_SHARED, "a name token shared", 0.01, 0.04),
        ("ELSE", "names differ", 0.03, 0.869),
    ]),
    _comparison("birth", "birth_year", [
        ("birth_hash_l = birth_hash_r", "same birth date", 0.78, 0.00004),
        ("birth_hash_l = birth_swap_hash_r OR birth_swap_hash_l = birth_hash_r",
         "day and month swapped", 0.04, 0.00004),
        (ONE_DIGIT_OFF, "birth dates one digit apart", 0.04, 0.0008),
        (SAME_YEAR_MONTH, "same birth year and month", 0.02, 0.0012),
        (SAME_MONTH_DAY, "same birth day and month, years differ", 0.02, 0.0027),
        (f"{ONE_DATE_MISSING} AND birth_year_l = birth_year_r",
         "same birth year, a date missing", 0.06, 0.002),
        ("birth_year_l = birth_year_r", "same birth year, dates differ", 0.02, 0.0168),
        ("ELSE", "births differ", 0.02, 0.97642),
    ]),
    _comparison("sex", "sex", [
        ("sex_l = sex_r", "same sex", 0.97, 0.5),
        ("ELSE", "sexes differ", 0.03, 0.5),
    ]),
    _comparison("place", "province_code", [
        ("commune_code_l = commune_code_r", "same commune", 0.75, 0.001),
        (f"{ONE_COMMUNE_MISSING} AND province_code_l = province_code_r",
         "same province, a commune missing", 0.12, 0.008),
        ("left(commune_code_l, 4) = left(commune_code_r, 4)", "same district", 0.05, 0.01),
        ("province_code_l = province_code_r", "same province", 0.04, 0.05),
        ("ELSE", "places differ", 0.04, 0.931),
    ]),
    # Only pairs of the any_id blocking rules have an ID on both sides (an equal ID was
    # linked before): one typo apart (households often number their members one after the
    # other: u is not negligible), or two IDs, which never link (matching._checked_ids).
    _comparison("id", "keyed", [
        (ONE_TYPO, "IDs one typo apart", 0.9, 0.009),
        ("ELSE", "IDs differ", 0.1, 0.991),
    ]),
]  # fmt: skip
