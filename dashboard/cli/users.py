"""`user ...`: sign-in accounts, their roles and scopes; and the scope an account's --user gives."""

import argparse
import sys

from cli.options import ROLES, codes


def _read_password(name: str, confirm: bool = True) -> str:
    """A password typed twice at a terminal, else the first line of standard input.

    It is checked (length, zxcvbn's score, not the user name) before it is asked again,
    so a weak one is refused at once, saying why.
    """
    import getpass

    from appdb import accounts

    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        accounts.check_password(password, name)
        return password
    first = getpass.getpass("Password: ")
    accounts.check_password(first, name)
    if confirm and getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account (an OIDC identity without password with --no-password)."""
    from appdb import accounts, audit

    provinces = codes(args.province)
    accounts.check_scope(args.agency, provinces)  # refused before a password is asked for
    password = None if args.no_password else _read_password(args.name)
    name = accounts.add(args.name, args.role, password, args.agency, provinces)
    account = accounts.get(name)
    detail = {"name": name, "role": args.role, "password": password is not None}
    detail |= {"agency": account["agency"], "provinces": account["provinces"]}
    audit.record(audit.os_user(), "user_add", detail)
    print(f"Added {name} ({args.role}{_scope_text(account)}).")
    return 0


def _scope_text(account: dict) -> str:
    """The scope to print after a role: ", agency NSSF, provinces 07,21", or "" for none."""
    parts = [f"agency {account['agency']}"] if account["agency"] else []
    parts += [f"provinces {account['provinces']}"] if account["provinces"] else []
    return "".join(f", {part}" for part in parts)


def cmd_user_scope(args: argparse.Namespace) -> int:
    """Limit an account to an agency and provinces (without options: lift every limit)."""
    from appdb import accounts, audit

    name = accounts.set_scope(args.name, args.agency, codes(args.province))
    account = accounts.get(name)
    detail = {"name": name, "agency": account["agency"], "provinces": account["provinces"]}
    audit.record(audit.os_user(), "user_scope", detail)
    print(f"{name}: {_scope_text(account).removeprefix(', ') or 'every agency and province'}.")
    return 0


def account_scope(user: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(agency, provinces) of the account --user names; no limit for a name of no account.

    The command line has no sign-in: --user says who acts, and an account's scope applies.
    """
    from appdb import accounts, scopes

    account = accounts.get(user) if user and accounts.NAME_PATTERN.fullmatch(user) else None
    return scopes.of_account(account) if account else (None, ())


def check_agency(user: str | None, agency: str | None, action: str) -> None:
    """Refuse, and record in the audit log, an agency action the --user account may not do.

    The log names the operating-system login as the actor, and `user` as the account.
    """
    from appdb import audit, scopes

    limit = account_scope(user)[0]
    if not scopes.check_agency_action(user, limit, agency, action, actor=audit.os_user()):
        raise PermissionError(
            f"{user} acts for {limit} only: {action} for {agency or 'every agency'} refused "
            "(recorded in the audit log)"
        )


def cmd_user_passwd(args: argparse.Namespace) -> int:
    """Set a new password for an account (and lift its lock)."""
    from appdb import accounts, audit

    name = accounts.set_password(args.name, _read_password(args.name))
    audit.record(audit.os_user(), "user_password", {"name": name})
    print(f"New password set for {name}.")
    return 0


def cmd_user_role(args: argparse.Namespace) -> int:
    """Give an account another role."""
    from appdb import accounts, audit

    name = accounts.set_role(args.name, args.role)
    audit.record(audit.os_user(), "user_role", {"name": name, "role": args.role})
    print(f"{name} is now {args.role}.")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    """Lift an account's lock after failed sign-ins."""
    from appdb import accounts, audit

    name = accounts.unlock(args.name)
    audit.record(audit.os_user(), "user_unlock", {"name": name})
    print(f"Unlocked {name}.")
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    """Delete an account."""
    from appdb import accounts, audit

    name = accounts.remove(args.name)
    audit.record(audit.os_user(), "user_remove", {"name": name})
    print(f"Removed {name}.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    """Print every account with its role and lock-out state (never a hash)."""
    from appdb import accounts

    for a in accounts.list_accounts():
        login = "password" if a["has_password"] else "OIDC"
        locked = f", locked until {a['locked_until']}" if a["locked_until"] else ""
        scope = _scope_text(a)
        print(f"{a['name']}\t{a['role']}\t{login}, {a['failed_count']} failed{locked}{scope}")
    return 0


def cmd_user_first_run(args: argparse.Namespace) -> int:
    """Say how to sign in; with no account yet, create `admin` and print its password once."""
    import tomllib
    from pathlib import Path

    from appdb import accounts, audit
    from ui import auth

    url, add = args.url, f"python -m dashboard user add NAME --role {'|'.join(ROLES)}"
    secrets_file = Path(".streamlit/secrets.toml")  # where `streamlit run` finds it
    secrets = tomllib.loads(secrets_file.read_text("utf-8")) if secrets_file.is_file() else {}
    if auth.oidc_providers(secrets):
        print(f"Sign in at {url} through the OpenID Connect provider in {secrets_file}.")
        print(f"Give people roles with [roles] in secrets, or: {add} --no-password (NAME: e-mail)")
        return 0
    if accounts.counts()["password_count"] == 0:
        password = accounts.new_password()
        accounts.add("admin", "admin", password)
        detail = {"name": "admin", "role": "admin", "password": True}
        audit.record(audit.os_user(), "user_add", detail)
        print(f"First start: sign in at {url} as admin with password {password}")
        print("(shown only this once; change it with: python -m dashboard user passwd admin)")
    else:
        print(f"Sign in at {url} with your account.")
        print("Forgotten password: python -m dashboard user passwd NAME")
    print(f"Add users with: {add}")
    return 0


def _scope_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--agency", metavar="CODE",
        help="the one source registry it imports, rolls back, maps and exports for, e.g. NSSF",
    )  # fmt: skip
    command.add_argument(
        "--province", action="append", metavar="CODE",
        help="a province whose figures it sees (repeat, or 07,21); default: every province",
    )  # fmt: skip


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """The `user` command and its sub-commands."""
    user = sub.add_parser("user", help="manage sign-in accounts").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", help="create an account; asks for the password")
    add.add_argument("name", help="username, or the e-mail of an OIDC identity")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--no-password", action="store_true", help="OIDC identity: role only")
    _scope_options(add)
    add.set_defaults(func=cmd_user_add)
    limit = user.add_parser("scope", help="limit an account to an agency and provinces")
    limit.add_argument("name")
    _scope_options(limit)
    limit.set_defaults(func=cmd_user_scope)
    role = user.add_parser("role", help="give an account another role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(func=cmd_user_role)
    for name, func, text in [
        ("passwd", cmd_user_passwd, "set a new password (asks for it; lifts a lock)"),
        ("unlock", cmd_user_unlock, "lift a lock after failed sign-ins"),
        ("remove", cmd_user_remove, "delete an account"),
    ]:
        command = user.add_parser(name, help=text)
        command.add_argument("name")
        command.set_defaults(func=func)
    user.add_parser("list", help="list accounts").set_defaults(func=cmd_user_list)
    first = user.add_parser("first-run", help="say how to sign in; create admin if none")
    first.add_argument("--url", default="http://localhost:8501")
    first.set_defaults(func=cmd_user_first_run)
