"""Typed admin clients: an editor completes their methods and mypy checks calls and replies.

``euca_boto.session()`` is typed so that ``session.client("euserv")`` is an ``EuservClient``;
for the operations euca-boto adds to AWS services, annotate the client (``EucaIamExtensions``).
"""

from __future__ import annotations

from _cloud import admin_session

from euca_boto.typed import EucaIamExtensions, EucaSession, EuservClient
from euca_boto.typed.euprop import PropertyTypeDef


def enabled_service_types(euserv: EuservClient) -> list[str]:
    reply = euserv.describe_services(ListAll=True, ByState="enabled")
    return sorted({status["ServiceId"]["Type"] for status in reply.get("ServiceStatuses", [])})


def dns_properties(session: EucaSession) -> list[PropertyTypeDef]:
    return session.client("euprop").describe_properties(Properties=["dns."])["Properties"]


def account_names(iam: EucaIamExtensions) -> list[str]:
    return sorted(account["AccountName"] for account in iam.list_accounts()["Accounts"])


with admin_session(__doc__) as session:
    typed: EucaSession = session
    print("enabled service types:", ", ".join(enabled_service_types(typed.client("euserv"))))
    for prop in dns_properties(typed):
        print(f"{prop['Name']} = {prop.get('Value')}")
    print("accounts:", ", ".join(account_names(typed.client("iam"))))
