"""Sign-in gate and roles: OpenID Connect (st.login) when configured, else local accounts.

With an `[auth]` section in `.streamlit/secrets.toml`, users sign in through that
provider and their e-mail gets a role from the accounts table (an account without a
password named by the e-mail) or else from a `[roles]` table in secrets
(`"ana@example.org" = "analyst"`, or `"@example.org" = "viewer"` for a whole domain).
Without it, users sign in with a local account (Username and Password form). Either
way `gate()` stops the script before anything else renders until someone is signed in.

A user may be limited to one agency and some provinces (appdb/scopes.py): an account's
own scope, or for an OIDC identity without an account `[scopes]` in secrets
(`"@kampot.gov.kh" = { provinces = ["07"] }`). `gate()` pins the user's provinces for the
run's reads (data_access/scope.py), so every page gets only the rows the user may see;
`agency_allowed` checks an agency action, auditing and explaining a refusal.

A session idle for longer than `settings.idle_minutes()` (from its last interaction, that
is its last script run while signed in) is signed out at its next run (`session_expired`
in the audit log), and the sign-in screen says why.
"""

import dataclasses
import time
from collections.abc import Callable, Mapping

import streamlit as st

import i18n
import settings
from appdb import accounts, audit, scopes
from data_access import scope
from indicators import formatting
from indicators.formatting import plain  # names, agencies: shown as plain text
from ui import element_preload, quoted

SESSION_KEY = "auth_user"  # the local account signed in to this session
RECORDED_KEY = "auth_recorded"  # an OIDC session whose sign-in is in the audit log
ACTIVE_KEY = "auth_last_active"  # time.time() of the session's last run while signed in
EXPIRED_KEY = "auth_expired"  # the idle minutes after which this session was signed out
# The least role each action needs; pages name theirs in app.PAGES.
PERMISSIONS = {
    "aggregates": "viewer",
    "export": "viewer",
    "needs_weights": "analyst",
    "targets": "analyst",
    "plans": "analyst",
    "import": "data_manager",
    "sync_detail": "data_manager",
    "users": "admin",
    "threshold": "admin",
    "keys": "admin",
    "audit": "admin",
}


@dataclasses.dataclass(frozen=True)
class User:
    """Who is signed in: name (account or e-mail), role (None: no access), how, and scope."""

    name: str
    role: str | None
    via: str  # "password" or "oidc"
    agency: str | None = None  # the one source registry it imports, maps and exports for
    provinces: tuple[str, ...] = ()  # the provinces whose cells it sees; (): every one


def visible_provinces(user: User) -> tuple[str, ...] | None:
    """The provinces whose cells the user may see, None for every province.

    The national row is always visible. gate() pins this for every read of the run, so
    pages, downloads, briefing packs and explanations receive only these provinces' rows.
    """
    return user.provinces or None


def _lang() -> str:
    return st.session_state.get("lang", "en")


def _secrets() -> Mapping:
    return st.secrets if st.secrets.load_if_toml_exists() else {}


def oidc_providers(secrets: Mapping) -> list[str]:
    """OIDC providers in secrets' `[auth]`: "default" for the unnamed one, then named ones."""
    section = secrets.get("auth") or {}
    names = ["default"] if "client_id" in section else []
    names += [k for k, v in section.items() if isinstance(v, Mapping) and "client_id" in v]
    return names


def role_for_identity(email: str, verified: object, secrets: Mapping) -> str | None:
    """The role of an OIDC identity: its account, else `[roles]` by address or @domain."""
    email = (email or "").strip().lower()
    if "@" not in email or verified is False:  # a provider that says "not verified"
        return None
    account = accounts.get(email) if accounts.NAME_PATTERN.fullmatch(email) else None
    if account is not None:
        return account["role"]
    roles = {str(k).lower(): v for k, v in (secrets.get("roles") or {}).items()}
    role = roles.get(email) or roles.get("@" + email.rpartition("@")[2])
    return role if role in accounts.ROLES else None


def oidc_user(email: str, verified: object, secrets: Mapping) -> User:
    """An OIDC identity with its role and scope: its account's, else `[roles]`/`[scopes]`.

    A `[scopes]` entry that cannot be read (unknown agency or province) gives no role: an
    identity meant to be limited never sees more than it should.
    """
    role = role_for_identity(email, verified, secrets)
    if role is None:
        return User(email, None, "oidc")
    address = email.strip().lower()
    account = accounts.get(address) if accounts.NAME_PATTERN.fullmatch(address) else None
    try:
        agency, provinces = (
            scopes.of_account(account) if account else scopes.from_secrets(address, secrets)
        )
    except scopes.ScopeError:
        return User(email, None, "oidc")
    return User(email, role, "oidc", agency, provinces)


def current_user() -> User | None:
    """The signed-in user with the role and scope they hold now, or None; renders nothing."""
    secrets = _secrets()
    if oidc_providers(secrets):
        if not st.user.get("is_logged_in"):
            return None
        email = str(st.user.get("email") or "")
        return oidc_user(email, st.user.get("email_verified"), secrets)
    name = st.session_state.get(SESSION_KEY)
    account = accounts.get(name) if name else None
    if account is None or not account["password_hash"]:  # removed since sign-in
        return None
    return User(account["name"], account["role"], "password", *scopes.of_account(account))


def can(permission: str) -> bool:
    """Whether the signed-in user may do `permission` (a key of PERMISSIONS)."""
    user = current_user()
    return user is not None and accounts.allows(user.role, PERMISSIONS[permission])


def record(action: str, detail: Mapping | None = None) -> None:
    """Audit an action of the signed-in user (usable as an on_click callback)."""
    user = current_user()
    audit.record(user.name if user else None, action, detail)


def gate(before_sign_in: Callable[[], object] | None = None) -> User:
    """Return the signed-in user, their provinces pinned for the run's reads.

    Otherwise show sign-in and stop the script run (with no provinces pinned: nothing of
    the store can be read). `before_sign_in` runs first on the sign-in screen (the app
    registers its pages there, so that the page asked for opens after the sign-in).
    """
    scope.unpin()
    user = current_user()
    if user is not None and _idle_too_long():
        _expire(user)
        user = None
    if user is None:
        if before_sign_in is not None:
            before_sign_in()
        _sign_in_screen()
        st.stop()
    if user.via == "oidc" and not st.session_state.get(RECORDED_KEY):
        st.session_state[RECORDED_KEY] = True
        action = "sign_in" if user.role else "sign_in_refused"
        audit.record(user.name, action, {"via": "oidc", "role": user.role})
    if user.role is None:
        st.title(i18n.t("auth.title", _lang()))
        st.error(i18n.t("auth.no_role", _lang(), name=plain(user.name)))
        st.button(i18n.t("auth.sign_out", _lang()), key="auth_sign_out", on_click=st.logout)
        st.stop()
    scope.pin(user.name, visible_provinces(user))
    return user


def _idle_too_long() -> bool:
    """Whether the session's last interaction is older than the idle time-out.

    Otherwise this run becomes its last interaction (every run follows one: a click, a
    changed widget, a page opened).
    """
    now, last = time.time(), st.session_state.get(ACTIVE_KEY)
    if last is not None and now - last > settings.idle_minutes() * 60:
        return True
    st.session_state[ACTIVE_KEY] = now
    return False


def _expire(user: User) -> None:
    """Sign an idle session out, audited; the sign-in screen then says why."""
    minutes = settings.idle_minutes()
    audit.record(user.name, "session_expired", {"via": user.via, "idle_minutes": minutes})
    _forget()
    st.session_state[EXPIRED_KEY] = minutes
    if user.via == "oidc":  # the identity cookie goes too (a new session begins)
        st.logout()


def _forget() -> None:
    """Forget who is signed in to this session."""
    for key in (SESSION_KEY, RECORDED_KEY, ACTIVE_KEY):
        st.session_state.pop(key, None)


def refuse(role: str, page: str | None = None) -> None:
    """Say that the page is not permitted, record it (`access_refused`) and stop the run.

    Args:
        role: the least role the page needs.
        page: the page's URL path, when known (a page opened by its address).
    """
    user = current_user()
    detail = {"required": role} | ({"page": page} if page else {})
    audit.record(user.name if user else None, scopes.REFUSED, detail)
    st.error(i18n.t("auth.refused", _lang()))
    st.stop()


def require(role: str) -> User:
    """Stop a page unless the user's role includes `role` (the page reached by its URL)."""
    user = current_user()
    if user is None or not accounts.allows(user.role, role):
        refuse(role)
    scope.pin(user.name, visible_provinces(user))
    return user


def agency_allowed(user: User, agency: str | None, action: str) -> bool:
    """Whether the user may import, roll back, map or export (`action`) for `agency`.

    A user limited to one agency acts for it alone; `agency` None is an action for every
    agency (a population or catalogue import), which such a user may not do. A refusal is
    recorded in the audit log (`access_refused`) and explained on the page.
    """
    if scopes.check_agency_action(user.name, user.agency, agency, action):
        return True
    key = "auth.agency_refused" if agency else "auth.agency_refused_every"
    st.error(i18n.t(key, _lang(), agency=plain(agency or ""), scope=plain(user.agency or "")))
    return False


def _sign_in_screen() -> None:
    lang = _lang()
    # In the sidebar, drawn before the form (which waits for its input fields' code):
    # the preload starts sooner, and its empty element shifts nothing on screen.
    with st.sidebar:
        element_preload.render()
    st.title(i18n.t("auth.title", lang))
    st.write(i18n.t("auth.intro", lang))
    providers = oidc_providers(_secrets())
    for provider in providers:
        label = i18n.t("auth.oidc_button", lang, provider=provider)
        if provider == "default":
            label = i18n.t("auth.oidc_button_default", lang)
        st.button(label, key=f"signin_oidc_{provider}", on_click=st.login, args=(provider,))
    if not providers:
        _password_form(lang)


def _password_form(lang: str) -> None:
    with st.form("signin_form", clear_on_submit=True):
        st.text_input(i18n.t("auth.username", lang), key="signin_username", autocomplete="username")
        st.text_input(
            i18n.t("auth.password", lang), type="password", key="signin_password",
            autocomplete="current-password",
        )  # fmt: skip
        # Checked in a callback, before the run: a successful sign-in renders the app in
        # that same run, without a second run (st.rerun) for the browser to wait for.
        st.form_submit_button(
            i18n.t("auth.sign_in", lang), key="signin_submit", on_click=_attempt, args=(lang,)
        )
    error = st.session_state.pop(ERROR_KEY, None)
    if error:
        st.error(error)
    expired = st.session_state.pop(EXPIRED_KEY, None)
    if expired and not error:
        st.warning(i18n.t("auth.expired", lang, minutes=i18n.digits(expired, lang)))
    if accounts.counts()["password_count"] == 0:
        st.info(i18n.t("auth.no_accounts", lang))


ERROR_KEY = "auth_error"  # why the last sign-in failed, shown once under the form


def _attempt(lang: str) -> None:
    name = st.session_state.get("signin_username", "")
    result = accounts.authenticate(name, st.session_state.get("signin_password", ""))
    if result.ok:
        st.session_state[SESSION_KEY] = result.name
        st.session_state[ACTIVE_KEY] = time.time()
        audit.record(result.name, "sign_in", {"via": "password"})
        return
    detail = {"reason": result.reason, "locked_until": result.locked_until}
    audit.record(result.name, "sign_in_failed", detail | {"tried": tried_name(name)})
    if result.locked_until:
        until = formatting.moment(result.locked_until, lang)  # e.g. 7 December 2026, 14:03
        st.session_state[ERROR_KEY] = i18n.t("auth.locked", lang, until=until)
    else:
        st.session_state[ERROR_KEY] = i18n.t("auth.failed", lang)


def tried_name(name: str) -> str | None:
    """The name a failed sign-in tried, as the audit log keeps it.

    Only a well-formed account name (no space, 100 characters at most): people sometimes
    type their password in the name field, and a passphrase has spaces. An unknown name
    is kept too (guessing at names is worth seeing), in the detail, not as the user.
    """
    name = (name or "").strip()
    return name if accounts.NAME_PATTERN.fullmatch(name) else None


def _sign_out(user: User) -> None:
    audit.record(user.name, "sign_out", {"via": user.via})
    _forget()
    if user.via == "oidc":
        st.logout()


def sidebar(user: User) -> None:
    """Who is signed in, with which role, and the sign-out button."""
    lang = _lang()
    role = i18n.t(f"role.{user.role}", lang)
    with st.sidebar:
        signed_in = i18n.t("auth.signed_in_as", lang, name=quoted.MARK, role=role)
        quoted.line(signed_in, user.name, "auth_user")  # the account's name as it was given
        if user.agency:
            st.caption(i18n.t("auth.scope_agency", lang, agency=plain(user.agency)))
        if user.provinces:
            names = scopes.reference_provinces()
            column = "name_km" if lang == "km" else "name_en"
            listed = ", ".join(plain(names[code][column]) for code in user.provinces)
            st.caption(i18n.t("auth.scope_provinces", lang, names=listed))
        st.button(
            i18n.t("auth.sign_out", lang), key="auth_sign_out", on_click=_sign_out, args=(user,)
        )
