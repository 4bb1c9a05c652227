"""Scopes of accounts: the one agency and the provinces an account is limited to.

Like DHIS2's data-output organisation units, an account (or an OIDC identity, through
`[scopes]` in secrets) may be limited to one agency, a source registry code such as
NSSF, and to one or more provinces (NIS codes "01".."25"). No agency means every agency;
no province means every province. The agency limits what a data manager imports, rolls
back, maps and exports; the provinces limit which province cells the account sees
(data_access/scope.py applies them). Every refusal is recorded in the audit log as
`access_refused`.
"""

import csv
import functools
import re
from collections.abc import Iterable, Mapping

import i18n
import settings
from appdb import audit

AGENCY_PATTERN = re.compile(r"[A-Z][A-Z0-9_]{1,31}")  # as ingest.mappings.SOURCE_NAME
REFUSED = "access_refused"


class ScopeError(ValueError):
    """A scope that cannot be kept; `key` names its i18n message (as accounts.AccountError)."""

    def __init__(self, key: str, **values: object) -> None:
        """Keep the message key and values so that the app can show it in any language."""
        self.key, self.values = key, values
        super().__init__(i18n.t(key, "en", **values))


@functools.cache
def reference_provinces() -> dict[str, dict[str, str]]:
    """Code -> row (name_en, name_km, ...) of the reference list (data/reference/provinces.csv).

    Read from the reference file, not the store: a scope is kept and chosen without it.
    """
    with (settings.REFERENCE_DIR / "provinces.csv").open(encoding="utf-8", newline="") as file:
        return {row["province_code"]: row for row in csv.DictReader(file)}


def known_provinces() -> frozenset[str]:
    """The province codes of the reference list."""
    return frozenset(reference_provinces())


def check_agency(agency: str | None) -> str | None:
    """The agency code in capitals, None for every agency; ScopeError unless a code."""
    agency = str(agency or "").strip().upper() or None
    if agency is not None and not AGENCY_PATTERN.fullmatch(agency):
        raise ScopeError("scopes.bad_agency", agency=agency)
    return agency


def check_provinces(provinces: str | Iterable[str] | None) -> tuple[str, ...]:
    """Province codes, sorted and once each; () for every province.

    Args:
        provinces: codes as a list, or one text with commas ("07,21"); "7" reads as "07".

    Raises:
        ScopeError: a code that is not a province of the reference list.
    """
    items = provinces.split(",") if isinstance(provinces, str) else provinces or ()
    codes = sorted({str(code).strip().zfill(2) for code in items if str(code).strip()})
    unknown = [code for code in codes if code not in known_provinces()]
    if unknown:
        raise ScopeError("scopes.bad_province", codes=", ".join(unknown))
    return tuple(codes)


def stored(provinces: tuple[str, ...]) -> str | None:
    """Provinces as the app database keeps them: "07,21", or null for every province."""
    return ",".join(provinces) or None


def of_account(account: Mapping) -> tuple[str | None, tuple[str, ...]]:
    """(agency, provinces) of an account row of the app database."""
    provinces = (account.get("provinces") or "").split(",")
    return account.get("agency") or None, tuple(code for code in provinces if code)


def from_secrets(email: str, secrets: Mapping) -> tuple[str | None, tuple[str, ...]]:
    """The scope `[scopes]` in secrets gives an e-mail: its own entry, else its @domain's.

    An entry is a table: `"ana@example.org" = { agency = "NSSF", provinces = ["07"] }`.

    Raises:
        ScopeError: an entry that is not a table, or holds an unknown agency or province.
    """
    table = {str(k).strip().lower(): v for k, v in (secrets.get("scopes") or {}).items()}
    entry = table.get(email) or table.get("@" + email.rpartition("@")[2]) or {}
    if not isinstance(entry, Mapping):
        raise ScopeError("scopes.bad_entry", name=email)
    return check_agency(entry.get("agency")), check_provinces(entry.get("provinces"))


def allows_agency(scope_agency: str | None, agency: str | None) -> bool:
    """Whether an account limited to `scope_agency` may act for `agency`.

    `agency` None is an action for every agency (a population or catalogue import, a store
    restore): only an account without an agency limit may do it.
    """
    return scope_agency is None or agency == scope_agency


def check_agency_action(
    user: str | None, scope_agency: str | None, agency: str | None, action: str,
    actor: str | None = None,
) -> bool:  # fmt: skip
    """`allows_agency`, with a refusal recorded in the audit log (`access_refused`).

    `actor`: who the log names when not `user` (the command line's operating-system login,
    `user` then being the account it acts as).
    """
    if allows_agency(scope_agency, agency):
        return True
    detail = {"action": action, "agency": agency or "every agency", "scope_agency": scope_agency}
    audit.record(actor or user, REFUSED, detail, as_account=actor and user)
    return False
