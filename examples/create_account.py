"""Create an account and an access key for its admin user (CreateAccount + DelegateAccount),
use it, and delete it again, so the example can be run any number of times."""

from __future__ import annotations

import sys

from _cloud import admin_session

import euca_boto
from euca_boto.admin import Cloud

NAME = "example-acme"

with admin_session(__doc__) as session:
    account = Cloud(session).create_account(NAME)
    print(f"created account {account['AccountName']} ({account['AccountId']})")
    print(f"admin access key: {account['AccessKeyId']}")
    # As the cloud admin, act inside the new account without its keys.
    iam = session.client("iam")
    with euca_boto.caller_context(delegate_account=NAME):
        users = [user["UserName"] for user in iam.list_users()["Users"]]
    print(f"users of {NAME}: {', '.join(users)}")
    # The new key works on its own.
    sts = session.client("sts", aws_access_key_id=account["AccessKeyId"],
                         aws_secret_access_key=account["SecretAccessKey"])
    identity = sts.get_caller_identity()
    print(f"the new key signs as account {identity['Account']}")
    iam.delete_account(AccountName=NAME, Recursive=True)
    print(f"deleted account {NAME} (with its users and keys)")
    sys.exit(0 if identity["Account"] == account["AccountId"] else 1)
