"""Every modelled admin action, served by LocalCloud and driven through installed euca-boto
clients: the parsed answers, and what LocalCloud logged and now holds."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from datetime import timedelta, timezone
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import pytest
from botocore.exceptions import ClientError

import euca_boto
from euca_boto.admin import Cloud
from euca_boto.msgs import InBandFailure
from euca_boto.testing import LocalCloud
from euca_boto.testing.certificates import pem_to_der, signing_certificate


def _last(cloud: LocalCloud, action: str) -> Any:
    return [r for r in cloud.requests() if r.action == action][-1]


def _state(euserv: Any, name: str) -> str:
    statuses = euserv.describe_services(ServiceNames=[name], ListAll=True)["ServiceStatuses"]
    assert len(statuses) == 1, statuses
    return str(statuses[0]["LocalState"])


def _as(session: Any, keys: dict[str, str]) -> Any:
    """A session of the same profile signing with other keys."""
    return euca_boto.session(
        profile_name="localcloud",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys.get("SessionToken"),
    )


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


# Empyrean: ModifyService (§3.2) --------------------------------------------------------------


def test_disable_then_enable_shows_in_describe_services_and_bumps_the_epoch(
    cloud: LocalCloud, session: Any
) -> None:
    euserv = session.client("euserv")
    before = cloud.epoch

    euserv.modify_service(Name="ufs1.compute", State="disable")
    assert _state(euserv, "ufs1.compute") == "DISABLED"
    assert cloud.epoch == before + 1
    disabled = euserv.describe_services(ServiceNames=["ufs1.compute"], ListAll=True)
    assert disabled["ServiceStatuses"][0]["LocalEpoch"] == before + 1

    euserv.modify_service(Name="arn:euca:eucalyptus:PARTI01:compute:ufs1.compute/", State="Enable")
    euserv.get_waiter("service_enabled").wait(
        ServiceNames=["ufs1.compute"], ListAll=True, WaiterConfig={"Delay": 1, "MaxAttempts": 2}
    )
    assert cloud.epoch == before + 2
    assert _last(cloud, "ModifyService").params == {
        "Action": "ModifyService",
        "Version": "eucalyptus",
        "Name": "arn:euca:eucalyptus:PARTI01:compute:ufs1.compute/",
        "State": "Enable",
    }


@pytest.mark.parametrize(
    ("argument", "state"),
    [("STOP", "STOPPED"), ("start", "DISABLED"), ("notready", "NOTREADY"), ("check", "NOTREADY")],
)
def test_transitions_and_target_states_are_case_insensitive(
    session: Any, argument: str, state: str
) -> None:
    euserv = session.client("euserv")
    if argument == "check":
        euserv.modify_service(Name="ufs2.tokens", State="NOTREADY")
    euserv.modify_service(Name="ufs2.tokens", State=argument)
    assert _state(euserv, "ufs2.tokens") == state
    euserv.modify_service(Name="ufs2.tokens", State="ENABLED")


def test_an_invalid_state_is_an_error_listing_the_possible_arguments(
    cloud: LocalCloud, session: Any
) -> None:
    before = cloud.epoch
    with pytest.raises(ClientError) as caught:
        session.client("euserv").modify_service(Name="ufs0.euare", State="SLEEP")
    status, code, message = _error(caught)
    assert (status, code) == (400, "ModifyServiceType")
    assert "'SLEEP' is not a state or a transition" in message
    assert "possible arguments are: START, STOP, INITIALIZE" in message
    assert message.endswith("NOTREADY, DISABLED, ENABLED")
    assert cloud.epoch == before


def test_modifying_an_unknown_service_names_it(session: Any) -> None:
    with pytest.raises(ClientError, match="no service named 'ufs9.compute'"):
        session.client("euserv").modify_service(Name="ufs9.compute", State="ENABLE")


def test_show_events_fills_status_details_and_compute_has_service_accounts(
    session: Any,
) -> None:
    euserv = session.client("euserv")
    euserv.modify_service(Name="ufs0.objectstorage", State="DISABLE")
    euserv.modify_service(Name="ufs0.objectstorage", State="ENABLE")

    with_events = euserv.describe_services(
        ServiceNames=["ufs0.objectstorage"], ListAll=True, ShowEvents=True
    )["ServiceStatuses"][0]
    messages = [d["Message"] for d in with_events["StatusDetails"]]
    assert messages == [
        "ufs0.objectstorage: ENABLED -> DISABLED (DISABLE)",
        "ufs0.objectstorage: DISABLED -> ENABLED (ENABLE)",
    ]
    assert with_events["StatusDetails"][0]["ServiceName"] == "ufs0.objectstorage"
    plain = euserv.describe_services(ServiceNames=["ufs0.objectstorage"], ListAll=True)
    assert "StatusDetails" not in plain["ServiceStatuses"][0]

    compute = euserv.describe_services(ServiceNames=["ufs0.compute"], ListAll=True)
    accounts = compute["ServiceStatuses"][0]["ServiceAccounts"]
    assert [a["AccountName"] for a in accounts] == ["(eucalyptus)aws-exec-read"]


# Empyrean: registration (§3.3-§3.5) ---------------------------------------------------------


def test_register_a_cluster_then_deregister_it(cloud: LocalCloud, session: Any) -> None:
    euserv = session.client("euserv")
    before = cloud.epoch
    answer = euserv.register_service(
        Type="cluster", Name="cc-east", Host="10.0.0.7", Partition="east"
    )
    assert answer["Return"] is True
    registered = answer["RegisteredServices"]
    assert [(s["Name"], s["Partition"], s["Uri"]) for s in registered] == [
        ("cc-east", "east", "http://10.0.0.7:8774/axis2/services/EucalyptusCC")
    ]
    assert cloud.epoch == before + 1
    listed = euserv.describe_services(ByServiceType="cluster", ByPartition="east")
    assert [s["ServiceId"]["Name"] for s in listed["ServiceStatuses"]] == ["cc-east"]

    gone = euserv.deregister_service(Name="cc-east", Type="cluster")
    assert [s["Name"] for s in gone["DeregisteredServices"]] == ["cc-east"]
    listed = euserv.describe_services(ByServiceType="cluster", ByPartition="east")
    assert listed["ServiceStatuses"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Type": "storage", "Name": "sc-x", "Host": "10.0.0.8"},
            "the Partition parameter is required for storage services",
        ),
        (
            {"Type": "quantum", "Name": "q", "Host": "10.0.0.8"},
            "unknown service type 'quantum'; registrable types are: autoscaling",
        ),
        (
            {"Type": "compute", "Name": "ufs0.compute", "Host": "10.0.0.8"},
            "Failed to register ufs0.compute: a service with that name already exists",
        ),
        (
            {"Type": "compute", "Name": "api", "Host": "10.0.0.8", "Port": 99999},
            "Invalid Port '99999': expected 1-65535",
        ),
    ],
)
def test_registration_failures_are_in_band(
    cloud: LocalCloud, session: Any, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InBandFailure) as caught:
        session.client("euserv").register_service(**params)
    assert message in caught.value.response["Error"]["Message"]
    assert caught.value.response["Return"] is False
    assert message in caught.value.response["StatusMessages"][0]
    assert _last(cloud, "RegisterService").status == 200


def test_registering_the_user_api_group_registers_every_member(session: Any) -> None:
    euserv = session.client("euserv")
    group = next(
        t
        for t in euserv.describe_available_service_types()["Available"]
        if t["ComponentName"] == "user-api"
    )
    answer = euserv.register_service(Type="user-api", Name="api7", Host="10.0.0.70")
    names = [s["Name"] for s in answer["RegisteredServices"]]
    assert names == [f"api7.{member}" for member in group["ServiceGroupMembers"]]
    assert {"api7.compute", "api7.euare", "api7.tokens", "api7.objectstorage"} <= set(names)
    listed = euserv.describe_services(ByHost="10.0.0.70")["ServiceStatuses"]
    assert sorted(s["ServiceId"]["Name"] for s in listed) == sorted(names)


def test_deregistering_an_unknown_service_fails_in_band(session: Any) -> None:
    with pytest.raises(InBandFailure, match="no service of type cluster named 'ghost'"):
        session.client("euserv").deregister_service(Name="ghost", Type="cluster")


def test_available_service_types_describe_groups_and_partitioning(session: Any) -> None:
    answer = session.client("euserv").describe_available_service_types()
    assert answer["StatusMessages"] == []
    available = answer["Available"]
    by_name = {t["ComponentName"]: t for t in available}
    assert by_name["cluster"]["Partitioned"] is True
    assert by_name["cluster"]["Registerable"] is True
    assert by_name["compute"]["ServiceGroups"] == ["user-api"]
    assert by_name["compute"]["PublicApiService"] is True
    assert by_name["bootstrap"]["Registerable"] is False
    assert by_name["user-api"]["ServiceGroupMembers"][:3] == [
        "autoscaling",
        "cloudformation",
        "cloudwatch",
    ]


# Empyrean: DescribeServiceCertificates (§3.6) -----------------------------------------------


def test_service_certificates_in_pem_and_der_with_their_fingerprints(session: Any) -> None:
    euserv = session.client("euserv")
    pem = euserv.describe_service_certificates()["ServiceCertificates"]
    assert [(c["ServiceType"], c["CertificateUsage"]) for c in pem] == [
        ("compute", "image-bundling")
    ]
    assert pem[0]["CertificateFormat"] == "pem"
    assert pem[0]["CertificateFingerprintDigest"] == "SHA-256"
    der = pem_to_der(pem[0]["Certificate"])
    expected = hashlib.sha256(der).hexdigest().upper()
    assert pem[0]["CertificateFingerprint"].replace(":", "") == expected

    as_der = euserv.describe_service_certificates(Format="der", FingerprintDigest="SHA-1")
    item = as_der["ServiceCertificates"][0]
    assert base64.b64decode(item["Certificate"]) == der  # the same certificate every time
    assert item["CertificateFingerprint"] == ":".join(
        hashlib.sha1(der).hexdigest().upper()[i : i + 2] for i in range(0, 40, 2)
    )


@pytest.mark.parametrize(
    ("filters", "count"),
    [
        ([{"Name": "service-type", "Values": ["compute"]}], 1),
        ([{"Name": "service-type", "Values": ["euare"]}], 0),
        ([{"Name": "certificate-usage", "Values": ["image-bundling", "x"]}], 1),
        ([{"Name": "colour", "Values": ["compute"]}], 0),
    ],
)
def test_service_certificate_filters(session: Any, filters: list[Any], count: int) -> None:
    answer = session.client("euserv").describe_service_certificates(Filters=filters)
    assert len(answer["ServiceCertificates"]) == count


def test_an_unknown_fingerprint_digest_is_refused(session: Any) -> None:
    with pytest.raises(ClientError, match="Invalid FingerprintDigest 'MD5'"):
        session.client("euserv").describe_service_certificates(FingerprintDigest="MD5")


# Configuration (§5) -----------------------------------------------------------------------


def test_configuration_registers_with_a_port_and_shares_the_registry(
    cloud: LocalCloud, session: Any
) -> None:
    euconfig = session.client("euconfig")
    answer = euconfig.register_storage_controller(
        Name="sc-west", Host="10.0.0.9", Port=8773, Partition="west"
    )
    assert answer["Return"] is True
    registered = euconfig.describe_storage_controllers(Verbose=True)["Registered"]
    mine = [r for r in registered if r["Name"] == "sc-west"]
    assert mine == [
        {
            "Type": "storage",
            "Partition": "west",
            "Name": "sc-west",
            "HostName": "10.0.0.9",
            "FullName": "arn:euca:eucalyptus:west:storage:sc-west/",
            "State": "ENABLED",
            "Detail": "http://10.0.0.9:8773/services/Storage",
        }
    ]
    euserv = session.client("euserv")
    assert _state(euserv, "sc-west") == "ENABLED"

    euconfig.deregister_storage_controller(Name="sc-west", Partition="west")
    names = [r["Name"] for r in euconfig.describe_storage_controllers()["Registered"]]
    assert "sc-west" not in names
    assert _last(cloud, "DeregisterStorageController").path == "/services/Configuration"


def test_configuration_failures_carry_a_status_message(cloud: LocalCloud, session: Any) -> None:
    euconfig = session.client("euconfig")
    with pytest.raises(InBandFailure) as caught:
        euconfig.register_cluster(Name="cc-bad", Host="10.0.0.10", Port=0, Partition="p")
    assert caught.value.response["StatusMessage"] == "Invalid Port '0': expected 1-65535"
    with pytest.raises(InBandFailure, match="no service of type node named 'nc-none'"):
        euconfig.deregister_node_controller(Name="nc-none", Partition="PARTI00")


def test_describe_components_lists_the_answering_host(session: Any) -> None:
    components = session.client("euconfig").describe_components()["Registered"]
    assert [c["Name"] for c in components] == [
        "ufs0.bootstrap",
        "ufs0.properties",
        "ufs0.configuration",
        "ufs0.compute",
        "ufs0.euare",
        "ufs0.tokens",
        "ufs0.objectstorage",
    ]


# IAM accounts (§6) --------------------------------------------------------------------------


def test_create_account_returns_keys_that_work_in_that_account(
    cloud: LocalCloud, session: Any
) -> None:
    made = Cloud(session).create_account("acme")
    assert len(made["AccountId"]) == 12 and made["AccountId"].isdigit()
    tenant = _as(session, made)

    identity = tenant.client("sts").get_caller_identity()
    assert identity["Account"] == made["AccountId"]
    assert identity["Arn"] == f"arn:aws:iam::{made['AccountId']}:user/admin"
    assert [u["UserName"] for u in tenant.client("iam").list_users()["Users"]] == ["admin"]
    assert _last(cloud, "ListUsers").access_key == made["AccessKeyId"]

    delegated = _last(cloud, "CreateAccessKey")
    assert delegated.params["DelegateAccount"] == made["AccountId"]
    accounts = session.client("iam").list_accounts()["Accounts"]
    assert {"AccountName": "acme", "AccountId": made["AccountId"]} in accounts


def test_delegated_calls_act_in_the_delegated_account_only(session: Any) -> None:
    iam = session.client("iam")
    iam.create_account(AccountName="initech")
    iam.create_user(UserName="peter", DelegateAccount="initech")

    in_account = iam.list_users(DelegateAccount="initech")["Users"]
    assert sorted(u["UserName"] for u in in_account) == ["admin", "peter"]
    assert "peter" not in [u["UserName"] for u in iam.list_users()["Users"]]


def test_delegation_errors(cloud: LocalCloud, session: Any) -> None:
    iam = session.client("iam")
    with pytest.raises(ClientError) as unknown:
        iam.list_users(DelegateAccount="nowhere")
    assert _error(unknown) == (403, "NotAuthorized", "Can not find delegation account nowhere")

    key, secret = cloud.add_credentials(account="tenant-a")
    tenant = _as(session, {"AccessKeyId": key, "SecretAccessKey": secret})
    with pytest.raises(ClientError) as refused:
        tenant.client("iam").list_users(DelegateAccount="eucalyptus")
    assert _error(refused) == (
        403,
        "NotAuthorized",
        "Delegation access not authorized for eucalyptus",
    )
    with pytest.raises(ClientError) as not_admin:
        tenant.client("iam").create_account(AccountName="sneaky")
    status, code, message = _error(not_admin)
    assert (status, code) == (403, "NotAuthorized")
    assert "reserved to the cloud administrator" in message


def test_account_policies(session: Any) -> None:
    iam = session.client("iam")
    iam.create_account(AccountName="hooli")
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ec2:*"}]}
    )
    iam.put_account_policy(AccountName="hooli", PolicyName="no-ec2", PolicyDocument=document)
    iam.put_account_policy(AccountName="hooli", PolicyName="quota", PolicyDocument="{}")

    got = iam.get_account_policy(AccountName="hooli", PolicyName="no-ec2")
    assert (got["AccountName"], got["PolicyName"]) == ("hooli", "no-ec2")
    assert json.loads(unquote(got["PolicyDocument"])) == json.loads(document)
    first = iam.list_account_policies(AccountName="hooli", MaxItems=1)
    assert (first["PolicyNames"], first["IsTruncated"]) == (["no-ec2"], True)
    rest = iam.list_account_policies(AccountName="hooli", Marker=first["Marker"])
    assert (rest["PolicyNames"], rest["IsTruncated"]) == (["quota"], False)

    iam.delete_account_policy(AccountName="hooli", PolicyName="quota")
    assert iam.list_account_policies(AccountName="hooli")["PolicyNames"] == ["no-ec2"]
    with pytest.raises(ClientError) as missing:
        iam.get_account_policy(AccountName="hooli", PolicyName="quota")
    assert _error(missing)[:2] == (404, "NoSuchEntity")
    with pytest.raises(ClientError) as malformed:
        iam.put_account_policy(AccountName="hooli", PolicyName="bad", PolicyDocument="{nope")
    assert _error(malformed)[:2] == (400, "MalformedPolicyDocument")


def test_the_system_accounts_are_listed_and_cannot_be_deleted(session: Any) -> None:
    iam = session.client("iam")
    listed = {a["AccountName"]: a["AccountId"] for a in iam.list_accounts()["Accounts"]}
    system = sorted(name for name in listed if name.startswith("(eucalyptus)"))
    assert system == [f"(eucalyptus){name}" for name in (
        "aws-exec-read", "billing", "blockstorage", "cloudformation", "database", "imaging",
        "loadbalancing", "objectstorage", "simplequeue")]
    # The compute service names the same account DescribeServices and ListAccounts show.
    (compute,) = session.client("euserv").describe_services(
        ServiceNames=["ufs0.compute"])["ServiceStatuses"]
    (account,) = compute["ServiceAccounts"]
    assert account["AccountNumber"] == listed["(eucalyptus)aws-exec-read"]
    for name in ("(eucalyptus)imaging", "eucalyptus"):
        with pytest.raises(ClientError) as refused:
            iam.delete_account(AccountName=name, Recursive=True)
        assert _error(refused) == (409, "DeleteConflict", "System account can not be deleted.")


def test_delete_account_needs_recursive_when_not_empty_and_revokes_its_keys(
    session: Any,
) -> None:
    admin = Cloud(session)
    made = admin.create_account("doomed")
    iam = session.client("iam")
    iam.create_user(UserName="bob", DelegateAccount="doomed")
    with pytest.raises(ClientError) as conflict:
        iam.delete_account(AccountName="doomed")
    status, code, message = _error(conflict)
    assert (status, code) == (409, "DeleteConflict")
    assert "users: bob" in message

    iam.delete_account(AccountName=made["AccountId"], Recursive=True)
    assert "doomed" not in [a["AccountName"] for a in iam.list_accounts()["Accounts"]]
    with pytest.raises(ClientError) as revoked:
        _as(session, made).client("sts").get_caller_identity()
    assert _error(revoked)[1] == "InvalidClientTokenId"


def test_update_server_certificate_renames_and_moves_it(session: Any) -> None:
    iam = session.client("iam")
    body, key = signing_certificate("web")
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body,
                                  PrivateKey=key)
    iam.update_server_certificate(ServerCertificateName="web",
                                  NewServerCertificateName="web-2026", NewPath="/prod/")
    moved = iam.get_server_certificate(ServerCertificateName="web-2026")["ServerCertificate"]
    assert moved["ServerCertificateMetadata"]["Path"] == "/prod/"
    assert moved["CertificateBody"].strip() == body.strip()
    with pytest.raises(ClientError) as gone:
        iam.get_server_certificate(ServerCertificateName="web")
    assert _error(gone)[1] == "NoSuchEntity"

    iam.upload_server_certificate(ServerCertificateName="api", CertificateBody=body,
                                  PrivateKey=key)
    with pytest.raises(ClientError) as taken:
        iam.update_server_certificate(ServerCertificateName="api",
                                      NewServerCertificateName="web-2026")
    assert _error(taken) == (409, "EntityAlreadyExists",
                             "Server certificate web-2026 already exists.")
    with pytest.raises(ClientError) as missing:
        iam.update_server_certificate(ServerCertificateName="ghost", NewPath="/x/")
    assert _error(missing) == (404, "NoSuchEntity", "Server certificate ghost does not exist")


def test_get_user_show_extra_and_update_user_enabled_and_password_expiration(
    session: Any,
) -> None:
    iam = session.client("iam")
    iam.create_user(UserName="carol")
    plain = iam.get_user(UserName="carol")["User"]
    assert "Enabled" not in plain and "PasswordExpiration" not in plain
    extra = iam.get_user(UserName="carol", ShowExtra=True)["User"]
    # A new user is enabled; its password expires authentication.default_password_expiry (60
    # days) after its creation, given as Java's Date.toString() text, as the server gives it.
    expires = plain["CreateDate"].astimezone(timezone.utc) + timedelta(days=60)
    assert (extra["Enabled"], extra["PasswordExpiration"]) == (
        True, expires.strftime("%a %b %d %H:%M:%S UTC %Y"))

    iam.update_user(UserName="carol", Enabled=False, PasswordExpiration="2030-01-02T03:04:05Z")
    iam.update_user(UserName="carol", NewUserName="carla")
    extra = iam.get_user(UserName="carla", ShowExtra=True)["User"]
    assert (extra["Enabled"], extra["PasswordExpiration"]) == (False,
                                                               "Wed Jan 02 03:04:05 UTC 2030")
    with pytest.raises(ClientError) as invalid:
        iam.update_user(UserName="carla", PasswordExpiration="soon")
    assert _error(invalid) == (400, "InvalidValue", "Invalid password expiration soon")


def test_ldap_sync_status_follows_the_property(cloud: LocalCloud, session: Any) -> None:
    iam = session.client("iam")
    status = iam.get_ldap_sync_status()
    assert (status["SyncEnabled"], status["InSync"]) == (False, False)
    name = "authentication.ldap_integration_configuration"
    old = cloud.properties.get(name).value
    cloud.properties.set(name, "{ 'sync': { 'enable':'true' } }")
    try:
        assert iam.get_ldap_sync_status()["SyncEnabled"] is True
    finally:
        cloud.properties.set(name, old)


def test_user_info_is_kept_per_account_and_user(session: Any) -> None:
    iam = session.client("iam")
    iam.create_account(AccountName="umbrella")
    iam.update_user_info(
        DelegateAccount="umbrella", UserName="admin", InfoKey="email", InfoValue="a@u.test"
    )
    iam.update_user_info(DelegateAccount="umbrella", InfoKey="phone", InfoValue="555")
    infos = iam.get_user_info(DelegateAccount="umbrella", UserName="admin")["Infos"]
    assert infos == [{"Key": "email", "Value": "a@u.test"}, {"Key": "phone", "Value": "555"}]
    iam.update_user_info(DelegateAccount="umbrella", InfoKey="phone")  # no value: delete
    only = iam.get_user_info(DelegateAccount="umbrella", InfoKey="email")["Infos"]
    assert only == [{"Key": "email", "Value": "a@u.test"}]
    assert iam.get_user_info(DelegateAccount="umbrella", InfoKey="phone")["Infos"] == []
    with pytest.raises(ClientError) as nobody:
        iam.get_user_info(DelegateAccount="umbrella", UserName="nobody")
    assert _error(nobody)[:2] == (404, "NoSuchEntity")


def test_create_signing_certificate_returns_the_key_and_keeps_the_certificate(
    session: Any,
) -> None:
    iam = session.client("iam")
    iam.create_account(AccountName="wayne")
    made = iam.create_signing_certificate(DelegateAccount="wayne")["Certificate"]
    assert made["UserName"] == "admin"
    assert made["Status"] == "Active"
    assert made["PrivateKey"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert made["CertificateBody"].startswith("-----BEGIN CERTIFICATE-----")
    listed = iam.list_signing_certificates(UserName="admin", DelegateAccount="wayne")
    assert [c["CertificateId"] for c in listed["Certificates"]] == [made["CertificateId"]]


# STS (§7) -----------------------------------------------------------------------------------


def test_impersonation_tokens_are_accepted_as_that_user(cloud: LocalCloud, session: Any) -> None:
    made = Cloud(session).create_account("stark")
    token = session.client("sts").get_impersonation_token(
        AccountAlias="stark", UserName="admin", DurationSeconds=900
    )["Credentials"]
    assert token["AccessKeyId"].startswith("ASIA")

    impersonated = _as(session, token)
    identity = impersonated.client("sts").get_caller_identity()
    assert identity["Account"] == made["AccountId"]
    impersonated.client("ec2").describe_availability_zones()
    record = _last(cloud, "DescribeAvailabilityZones")
    assert record.access_key == token["AccessKeyId"]
    assert record.status == 200

    user_id = _as(session, made).client("iam").get_user()["User"]["UserId"]
    by_id = session.client("sts").get_impersonation_token(UserId=user_id)["Credentials"]
    assert _as(session, by_id).client("sts").get_caller_identity()["Account"] == made["AccountId"]


def test_a_temporary_key_without_its_session_token_is_refused(session: Any) -> None:
    token = session.client("sts").get_impersonation_token(
        AccountAlias="eucalyptus", UserName="admin"
    )["Credentials"]
    forged = dict(token, SessionToken="not-the-token")
    with pytest.raises(ClientError) as caught:
        _as(session, forged).client("sts").get_caller_identity()
    assert _error(caught)[1:] == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid",
    )


def test_impersonation_errors(cloud: LocalCloud, session: Any) -> None:
    sts = session.client("sts")
    with pytest.raises(ClientError) as unknown_user:
        sts.get_impersonation_token(AccountAlias="eucalyptus", UserName="ghost")
    assert _error(unknown_user)[:2] == (404, "NoSuchEntity")
    with pytest.raises(ClientError) as neither:
        sts.get_impersonation_token(UserName="admin")
    assert _error(neither)[:2] == (400, "ValidationError")
    key, secret = cloud.add_credentials(account="tenant-b")
    with pytest.raises(ClientError) as refused:
        _as(session, {"AccessKeyId": key, "SecretAccessKey": secret}).client(
            "sts"
        ).get_impersonation_token(AccountAlias="eucalyptus", UserName="admin")
    assert _error(refused)[:2] == (403, "AccessDenied")


def _basic(user: str, account: str, password: str) -> str:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return "Basic " + b64(f"{b64(user)}@{b64(account)}:{password}")


def _post(url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(
            "POST",
            parts.path,
            body=urlencode(params),
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_get_access_token_with_a_password(cloud: LocalCloud, session: Any) -> None:
    iam = session.client("iam")
    iam.create_account(AccountName="lexcorp")
    iam.create_login_profile(UserName="admin", Password="s3cret!", DelegateAccount="lexcorp")
    url = cloud.service_url("sts")
    params = {"Action": "GetAccessToken", "Version": "2011-06-15"}

    status, body = _post(url, params, {"Authorization": _basic("admin", "lexcorp", "s3cret!")})
    assert status == 200
    text = body.decode()
    key = text.split("<AccessKeyId>")[1].split("</AccessKeyId>")[0]
    secret = text.split("<SecretAccessKey>")[1].split("</SecretAccessKey>")[0]
    token = text.split("<SessionToken>")[1].split("</SessionToken>")[0]
    tenant = _as(session, {"AccessKeyId": key, "SecretAccessKey": secret, "SessionToken": token})
    account_id = iam.list_accounts()["Accounts"]
    assert tenant.client("sts").get_caller_identity()["Account"] in [
        a["AccountId"] for a in account_id if a["AccountName"] == "lexcorp"
    ]

    status, body = _post(url, params, {"Authorization": _basic("admin", "lexcorp", "wrong")})
    assert status == 401
    assert b"<Code>NotAuthorized</Code>" in body
    assert b"Invalid user name, account or password" in body
    assert _last(cloud, "GetAccessToken").access_key is None  # no key signed a password login

    status, body = _post(url, params, {"Authorization": "Basic bm90LWEtY2hhbGxlbmdl"})
    assert status == 401
    assert b"Invalid Basic challenge: expected base64(base64(user)@base64(account):password)" in (
        body
    )


def test_a_password_login_may_not_impersonate(cloud: LocalCloud, session: Any) -> None:
    iam = session.client("iam")
    iam.create_user(UserName="ops")
    iam.create_login_profile(UserName="ops", Password="ops-pass")
    params = {"Action": "GetAccessToken", "Version": "2011-06-15"}
    status, body = _post(
        cloud.service_url("sts"), params, {"Authorization": _basic("ops", "eucalyptus", "ops-pass")}
    )
    assert status == 200
    text = body.decode()
    token = {
        tag: text.split(f"<{tag}>")[1].split(f"</{tag}>")[0]
        for tag in ("AccessKeyId", "SecretAccessKey", "SessionToken")
    }
    with pytest.raises(ClientError) as caught:
        _as(session, token).client("sts").get_impersonation_token(
            AccountAlias="eucalyptus", UserName="admin"
        )
    assert _error(caught)[:2] == (403, "MissingAuthenticationToken")


def test_get_access_token_with_a_signature(session: Any) -> None:
    token = session.client("sts").get_access_token()["Credentials"]
    assert token["AccessKeyId"].startswith("ASIA")
    assert _as(session, token).client("euserv").describe_services()["Return"] is True


def test_credentials_from_assume_role_are_accepted(cloud: LocalCloud, session: Any) -> None:
    iam = session.client("iam")
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:*"}],
        }
    )
    role = iam.create_role(RoleName="operator-x", AssumeRolePolicyDocument=trust)["Role"]
    assumed = session.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="night")
    creds = assumed["Credentials"]

    as_role = _as(session, creds)
    identity = as_role.client("sts").get_caller_identity()
    assert identity["Arn"].endswith(":assumed-role/operator-x/night")
    record = _last(cloud, "GetCallerIdentity")
    assert (record.access_key, record.status) == (creds["AccessKeyId"], 200)
    assert record.headers["X-Amz-Security-Token"] == creds["SessionToken"]


# EC2 extensions (§8) -----------------------------------------------------------------------


def test_describe_instance_types_in_the_eucalyptus_form(cloud: LocalCloud, session: Any) -> None:
    answer = session.client("euca-ec2").describe_instance_types(
        InstanceTypes=["m1.small", "c1.medium"], Availability=True, Verbose=True
    )
    details = {d["Name"]: d for d in answer["InstanceTypeDetails"]}
    assert set(details) == {"m1.small", "c1.medium"}
    small = details["m1.small"]
    assert (small["Cpu"], small["Disk"], small["Memory"], small["NetworkInterfaces"]) == (
        1,
        5,
        256,
        1,
    )
    assert [(a["ZoneName"], a["Max"]) for a in small["Availability"]] == [
        ("PARTI00", 32),
        ("PARTI01", 32),
    ]
    assert small["EphemeralDisk"][0]["VirtualDeviceName"] == "ephemeral0"
    assert _last(cloud, "DescribeInstanceTypes").params["Version"] == "2015-10-01"


def test_the_aws_describe_instance_types_still_reaches_moto(session: Any) -> None:
    answer = session.client("ec2").describe_instance_types(InstanceTypes=["t2.micro"])
    assert answer["InstanceTypes"][0]["InstanceType"] == "t2.micro"


def test_availability_is_for_the_administrator(cloud: LocalCloud, session: Any) -> None:
    key, secret = cloud.add_credentials(account="tenant-c")
    tenant = _as(session, {"AccessKeyId": key, "SecretAccessKey": secret})
    euca_ec2 = tenant.client("euca-ec2")
    assert len(euca_ec2.describe_instance_types()["InstanceTypeDetails"]) == 10
    with pytest.raises(ClientError) as caught:
        euca_ec2.describe_instance_types(Availability=True)
    assert _error(caught) == (403, "AuthFailure", "Not permitted to access availability")
    with pytest.raises(ClientError) as modify:
        euca_ec2.modify_instance_type_attribute(Name="m1.small", Cpu=4)
    assert _error(modify) == (403, "AuthFailure", "Authorization failed.")


def test_modify_instance_type_then_reset(session: Any) -> None:
    euca_ec2 = session.client("euca-ec2")
    changed = euca_ec2.modify_instance_type_attribute(Name="m1.large", Memory=8192, Cpu=4)
    assert (changed["InstanceType"]["Memory"], changed["InstanceType"]["Cpu"]) == (8192, 4)
    assert changed["PreviousInstanceType"]["Memory"] == 512
    listed = euca_ec2.describe_instance_types(InstanceTypes=["m1.large"])
    assert listed["InstanceTypeDetails"][0]["Memory"] == 8192

    reset = euca_ec2.modify_instance_type_attribute(Name="m1.large", Reset=True)
    assert (reset["InstanceType"]["Memory"], reset["InstanceType"]["Cpu"]) == (512, 2)
    with pytest.raises(ClientError, match="Invalid NetworkInterfaces '9': expected 1-8"):
        euca_ec2.modify_instance_type_attribute(Name="m1.large", NetworkInterfaces=9)
    with pytest.raises(ClientError, match="Unknown instance type: z9.huge"):
        euca_ec2.modify_instance_type_attribute(Name="z9.huge", Cpu=1)


def test_migrate_instances(cloud: LocalCloud, session: Any) -> None:
    ec2 = session.client("ec2")
    ec2.migrate_instances(SourceHost="10.0.1.1", DestinationHosts=["10.0.1.2"], AllowHosts=True)
    migration = cloud.migrations[-1]
    assert (migration.source_host, migration.destination_hosts, migration.allow_hosts) == (
        "10.0.1.1",
        ("10.0.1.2",),
        True,
    )
    with pytest.raises(ClientError) as both:
        ec2.migrate_instances(SourceHost="10.0.1.1", InstanceId="i-1")
    assert _error(both)[1] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as missing:
        ec2.migrate_instances(InstanceId="i-00000000deadbeef0")
    assert _error(missing)[1] == "InvalidInstanceID.NotFound"


def _instance_ids(ec2: Any, **params: Any) -> set[str]:
    reservations = ec2.describe_instances(**params)["Reservations"]
    return {i["InstanceId"] for r in reservations for i in r["Instances"]}


def test_the_verbose_listings_show_every_accounts_resources_to_the_administrator(
    cloud: LocalCloud, session: Any
) -> None:
    key, secret = cloud.add_credentials(account="verbosecorp")
    tenant = _as(session, {"AccessKeyId": key, "SecretAccessKey": secret}).client("ec2")
    admin = session.client("ec2")
    mine = admin.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    theirs = tenant.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    mine_id, theirs_id = (r["Instances"][0]["InstanceId"] for r in (mine, theirs))
    volume = tenant.create_volume(AvailabilityZone="PARTI00", Size=1)["VolumeId"]

    assert {mine_id, theirs_id} <= _instance_ids(admin, InstanceIds=["verbose"])
    owners = {r["OwnerId"] for r in admin.describe_instances(InstanceIds=["verbose"])[
        "Reservations"]}
    assert theirs["OwnerId"] in owners and mine["OwnerId"] in owners
    assert volume in {v["VolumeId"] for v in admin.describe_volumes(VolumeIds=["verbose"])[
        "Volumes"]}
    # Without it the administrator sees its own account's; others see their own either way.
    assert theirs_id not in _instance_ids(admin)
    assert _instance_ids(tenant, InstanceIds=["verbose"]) == _instance_ids(tenant)
    assert mine_id not in _instance_ids(tenant, InstanceIds=["verbose"])
    sent = _last(cloud, "DescribeInstances").params
    assert sent["InstanceId.1"] == "verbose"


def test_availability_zones_and_regions_are_the_clouds(cloud: LocalCloud, session: Any) -> None:
    ec2 = session.client("ec2")
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    # The region name is the property region.region_name, empty until an operator sets it.
    assert [(z["ZoneName"], z["State"], z.get("RegionName")) for z in zones] == [
        ("PARTI00", "available", ""), ("PARTI01", "available", "")]
    picked = ec2.describe_availability_zones(
        Filters=[{"Name": "zone-name", "Values": ["PARTI01"]}])["AvailabilityZones"]
    assert [z["ZoneName"] for z in picked] == ["PARTI01"]
    with pytest.raises(ClientError) as unknown:
        ec2.describe_availability_zones(ZoneNames=["us-east-1a"])
    assert _error(unknown)[1:] == ("InvalidParameterValue",
                                   "Invalid availability zone: [us-east-1a]")
    # One region, the cloud's, and one of its compute services' URLs: the first, as the
    # server keeps one per region and service type.
    compute = session.client("euserv").describe_services(ListAll=True, ByServiceType="compute")
    urls = sorted(s["ServiceId"]["Uri"] for s in compute["ServiceStatuses"])
    assert cloud.service_url("ec2", 0) in urls
    assert ec2.describe_regions()["Regions"] == [{"RegionName": "eucalyptus", "Endpoint": urls[0]}]


def test_the_verbose_zone_listing_shows_each_zones_capacity(session: Any) -> None:
    zones = session.client("ec2").describe_availability_zones(ZoneNames=["verbose"])[
        "AvailabilityZones"]
    lines = [(z["ZoneName"], z["State"]) for z in zones]
    assert lines[:3] == [
        ("PARTI00", "127.0.0.1 arn:euca:eucalyptus:PARTI00:cluster:PARTI00.cluster/"),
        ("|- vm types", "free / max   cpu   ram  disk"),
        ("|- t1.micro", "0032 / 0032   1    256     5"),
    ]
    assert ("|- m2.2xlarge", "0016 / 0016   2   4096    30") in lines
    assert lines.count(("|- vm types", "free / max   cpu   ram  disk")) == 2


def test_register_image_takes_the_eucalyptus_platform(cloud: LocalCloud, session: Any) -> None:
    # The server's RegisterImageType has Platform (windows or linux); AWS's model does not.
    image = session.client("ec2").register_image(
        Name="windows-2019", ImageLocation="images/windows-2019.manifest.xml", Platform="windows")
    assert image["ImageId"].startswith("ami-")
    assert _last(cloud, "RegisterImage").params["Platform"] == "windows"
