"""``euca-boto admin accounts``: list, create and delete the cloud's accounts (``euare-account*``'s
work; the cloud administrator's)."""

from __future__ import annotations

import argparse
from typing import Any

from euca_boto.cli.admin.connect import add_profile_argument, connect
from euca_boto.cli.admin.output import Column, add_output_argument, chosen_format, render

ACCOUNT_COLUMNS = (
    Column("NAME", lambda a: a.get("AccountName")),
    Column("ID", lambda a: a.get("AccountId")),
)


def _list(args: argparse.Namespace) -> int:
    session = connect(args.profile, "iam")
    accounts = session.client("iam").list_accounts()["Accounts"]
    accounts.sort(key=lambda a: a.get("AccountName", ""))
    render(accounts, ACCOUNT_COLUMNS, chosen_format(args, session), "Accounts")
    return 0


def _create(args: argparse.Namespace) -> int:
    session = connect(args.profile, "iam")
    account = session.client("iam").create_account(AccountName=args.name)["Account"]
    render([account], ACCOUNT_COLUMNS, chosen_format(args, session), "Account created")
    return 0


def _delete(args: argparse.Namespace) -> int:
    session = connect(args.profile, "iam")
    session.client("iam").delete_account(AccountName=args.name, Recursive=args.recursive)
    print(f"account {args.name}: deleted" + (" with everything in it" if args.recursive else ""))
    return 0


def add_commands(groups: Any) -> None:
    """Add ``euca-boto admin accounts`` and its actions."""
    accounts = groups.add_parser(
        "accounts", help="list, create and delete accounts",
        description="The cloud's accounts (cloud administrator only): list, create, delete.")
    actions = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help="every account, system accounts included",
        description="List every account with its id, the (eucalyptus)* system accounts "
                    "included.")
    create = actions.add_parser(
        "create", help="create an account",
        description="Create an account (its admin user comes with it).")
    create.add_argument("name", metavar="NAME",
                        help="the account name: lower-case letters, digits, '.' and '-'")
    delete = actions.add_parser(
        "delete", help="delete an account",
        description="Delete an account. One that still has users, groups or roles is refused "
                    "unless --recursive deletes them with it.")
    delete.add_argument("name", metavar="NAME", help="the account's name or 12-digit id")
    delete.add_argument("--recursive", action="store_true",
                        help="delete the account's users, groups, roles and policies with it")
    for parser, func in ((listing, _list), (create, _create), (delete, _delete)):
        add_profile_argument(parser)
        if func is not _delete:
            add_output_argument(parser)
        parser.set_defaults(func=func)
