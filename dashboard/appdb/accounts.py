"""Local accounts in the app database: roles, Argon2 password hashes and lock-out.

A password is never stored or logged, only its Argon2id hash, and is refused when short
(MIN_PASSWORD_LENGTH), easy to guess (zxcvbn's score below MIN_PASSWORD_SCORE: common,
repeated, keyboard patterns, sequences, dates) or when it is or holds the user name.
MAX_FAILURES failed
sign-ins in a row lock an account for LOCK_MINUTES; a correct password while it is
locked is refused too, so guessing cannot continue. An administrator (or
`python -m dashboard user unlock NAME`) lifts a lock at once. An account may be limited
to one agency and some provinces (appdb/scopes.py).
"""

import contextlib
import dataclasses
import datetime as dt
import functools
import re
import secrets
import sqlite3

import argon2
import zxcvbn

import i18n
from appdb import database, scopes

ROLES = ("viewer", "analyst", "data_manager", "admin")
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 12
# zxcvbn's 0-4 scale; 3 is "safely unguessable: moderate protection from offline
# slow-hash scenario" (about 10^8 guesses or more), which Argon2id makes slow.
MIN_PASSWORD_SCORE = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input: the first 72 characters are scored
# zxcvbn's warning (English) -> the message that says why, in every language.
WEAKNESSES = {
    "Straight rows of keys are easy to guess.": "accounts.weak.keyboard",
    "Short keyboard patterns are easy to guess.": "accounts.weak.keyboard",
    'Repeats like "aaa" are easy to guess.': "accounts.weak.repeats",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "accounts.weak.repeats"
    ),
    'Sequences like "abc" or "6543" are easy to guess.': "accounts.weak.sequence",
    "Recent years are easy to guess.": "accounts.weak.dates",
    "Dates are often easy to guess.": "accounts.weak.dates",
    "This is a top-10 common password.": "accounts.weak.common",
    "This is a top-100 common password.": "accounts.weak.common",
    "This is a very common password.": "accounts.weak.common",
    "This is similar to a commonly used password.": "accounts.weak.common",
    "A word by itself is easy to guess.": "accounts.weak.word",
    "Names and surnames by themselves are easy to guess.": "accounts.weak.names",
    "Common names and surnames are easy to guess.": "accounts.weak.names",
}
LIST_COLUMNS = (
    "name", "role", "agency", "provinces", "has_password", "failed_count", "locked_until",
    "created_at", "last_sign_in_at",
)  # fmt: skip
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
# RFC 9106's second recommended profile (64 MiB, 3 passes): about 0.15 s per check here.
HASHER = argon2.PasswordHasher.from_parameters(argon2.profiles.RFC_9106_LOW_MEMORY)


class AccountError(ValueError):
    """A request about accounts that cannot be met; `key` names its i18n message."""

    def __init__(self, key: str, **values: object) -> None:
        """Keep the message key and values so that the app can show it in any language."""
        self.key, self.values = key, values
        super().__init__(i18n.t(key, "en", **values))


@dataclasses.dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt.

    Attributes:
        ok: whether the password was right and the account not locked.
        name: the account's name as stored (None when no account has that name).
        reason: "ok", "unknown" (no such account), "bad_password" or "locked".
        locked_until: ISO UTC end of a lock in force after this attempt, if any.
    """

    ok: bool
    name: str | None
    reason: str
    locked_until: str | None = None


def allows(role: str | None, required: str) -> bool:
    """Whether `role` includes `required`: each role has every right of the ones before it."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(required)


def iso(moment: dt.datetime) -> str:
    """A UTC time as the app database keeps it (sorts as text)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_name(name: str) -> str:
    """The name without surrounding spaces; AccountError unless it is a valid account name."""
    name = (name or "").strip()
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError("accounts.bad_name")
    return name


def check_role(role: str) -> str:
    """The role itself; AccountError unless it is one of ROLES."""
    if role not in ROLES:
        raise AccountError("accounts.bad_role", roles=", ".join(ROLES))
    return role


def _names_in(name: str) -> list[str]:
    """The forms of a user name a password may not hold: the name, an address's local part."""
    name = (name or "").strip().casefold()
    forms = [name, name.partition("@")[0]] if "@" in name else [name]
    return [form for form in forms if len(form) >= 3]  # "vi" is in too many good passwords


def check_password(password: str, name: str | None = None) -> None:
    """Refuse a password that is short, easy to guess, or is or holds the user name.

    Raises:
        AccountError: whose key says why ("accounts.weak.*" from zxcvbn's warning).
    """
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        raise AccountError("accounts.short_password", length=MIN_PASSWORD_LENGTH)
    if (name or "").strip() and (
        password.strip().casefold() == name.strip().casefold()
        or any(form in password.casefold() for form in _names_in(name))
    ):
        raise AccountError("accounts.password_has_name")
    result = zxcvbn.zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[name] if name else [])
    if result["score"] < MIN_PASSWORD_SCORE:
        warning = result["feedback"]["warning"]
        raise AccountError(WEAKNESSES.get(warning, "accounts.weak.other"))


def hash_password(password: str, name: str | None = None) -> str:
    """The Argon2id hash of a password good enough to keep (check_password); else AccountError."""
    check_password(password, name)
    return HASHER.hash(password)


def new_password(name: str = "admin") -> str:
    """A random password (20 URL-safe characters, 120 bits) that check_password accepts."""
    while True:
        password = secrets.token_urlsafe(15)
        with contextlib.suppress(AccountError):  # a draw that happens to spell the name
            check_password(password, name)
            return password


def get(name: str) -> dict | None:
    """The account called `name` (case-insensitive), hash included, or None."""
    rows = database.execute("account_by_name", {"name": (name or "").strip()})
    return rows[0] if rows else None


def list_accounts() -> list[dict]:
    """Every account without its hash, by name."""
    return database.execute("account_list")


def counts() -> dict[str, int]:
    """How many accounts exist (`account_count`) and how many have a password."""
    return database.execute("account_count")[0]


def check_scope(agency: str | None, provinces) -> dict[str, str | None]:
    """The scope as the app database keeps it; AccountError for an unknown agency or province.

    Args:
        agency: a source registry code, or None / "" for every agency.
        provinces: province codes (a list, or "07,21"), or None / () for every province.
    """
    try:
        agency, codes = scopes.check_agency(agency), scopes.check_provinces(provinces)
    except scopes.ScopeError as exc:
        raise AccountError(exc.key, **exc.values) from None
    return {"agency": agency, "provinces": scopes.stored(codes)}


def add(
    name: str,
    role: str,
    password: str | None = None,
    agency: str | None = None,
    provinces=(),
) -> str:
    """Create an account; without a password it is an OIDC identity. Returns the name.

    `agency` and `provinces` limit it (None and () for no limit; see check_scope).
    """
    name, role = check_name(name), check_role(role)
    scope = check_scope(agency, provinces)
    password_hash = None if password is None else hash_password(password, name)
    try:
        database.execute(
            "account_insert",
            {"name": name, "role": role, "password_hash": password_hash, **scope},
        )
    except sqlite3.IntegrityError:
        raise AccountError("accounts.exists", name=name) from None
    return name


def _update(statement: str, name: str, **params: object) -> str:
    rows = database.execute(statement, {"name": (name or "").strip(), **params})
    if not rows:
        raise AccountError("accounts.unknown", name=name)
    return rows[0]["name"]


def _keep_an_admin(name: str, by: str | None) -> None:
    """Refuse to take the admin role from oneself or from the last admin account."""
    if by is not None and name.strip().casefold() == by.casefold():
        raise AccountError("accounts.not_yourself")
    account = get(name)
    admins = [a for a in list_accounts() if a["role"] == "admin"]
    if account and account["role"] == "admin" and len(admins) == 1:
        raise AccountError("accounts.last_admin")


def remove(name: str, by: str | None = None) -> str:
    """Delete an account; never the last admin, nor the account of `by` (who asks)."""
    _keep_an_admin(name, by)
    return _update("account_delete", name)


def set_role(name: str, role: str, by: str | None = None) -> str:
    """Change an account's role; the last admin and `by` keep theirs."""
    if check_role(role) != "admin":
        _keep_an_admin(name, by)
    return _update("account_set_role", name, role=role)


def set_scope(name: str, agency: str | None, provinces=()) -> str:
    """Limit an account to an agency and provinces (None and () lift each limit)."""
    return _update("account_set_scope", name, **check_scope(agency, provinces))


def set_password(name: str, password: str) -> str:
    """Replace an account's password (which also lifts a lock)."""
    password_hash = hash_password(password, name)
    return _update("account_set_password", name, password_hash=password_hash)


def unlock(name: str) -> str:
    """Forget an account's failed sign-ins and lift its lock."""
    return _update("account_unlock", name)


@functools.cache
def _decoy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password or "")
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def authenticate(name: str, password: str, now: dt.datetime | None = None) -> SignIn:
    """Check a password, counting failures and locking the account after MAX_FAILURES."""
    now = now or dt.datetime.now(dt.UTC)
    account = get(name) if NAME_PATTERN.fullmatch((name or "").strip()) else None
    if account is None or not account["password_hash"]:
        _verify(_decoy_hash(), password)  # an unknown name costs as long as a known one
        return SignIn(False, None, "unknown")
    name, locked_until = account["name"], account["locked_until"]
    if locked_until and locked_until > iso(now):
        return SignIn(False, name, "locked", locked_until)
    if _verify(account["password_hash"], password):
        database.execute("account_signed_in", {"name": name, "now": iso(now)})
        if HASHER.check_needs_rehash(account["password_hash"]):
            with contextlib.suppress(AccountError):  # a password older than today's rules
                set_password(name, password)
        return SignIn(True, name, "ok")
    lock_until = iso(now + dt.timedelta(minutes=LOCK_MINUTES))
    row = database.execute(
        "account_failed_sign_in",
        {"name": name, "now": iso(now), "max_failures": MAX_FAILURES, "lock_until": lock_until},
    )[0]
    return SignIn(False, name, "bad_password", row["locked_until"])
