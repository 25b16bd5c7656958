"""DescribeServices, DescribeProperties and ModifyPropertyValue: routing, parameters, semantics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree

import pytest

from euca_boto.testing import LocalCloud

Call = Callable[..., Any]
V = {"Version": "eucalyptus"}


def strip(element: ElementTree.Element) -> ElementTree.Element:
    for node in element.iter():
        node.tag = node.tag.rsplit("}", 1)[-1]
    return element


def root(reply: Any) -> ElementTree.Element:
    assert reply.status == 200, reply.text
    return strip(ElementTree.fromstring(reply.body))


def services(reply: Any) -> list[dict[str, str]]:
    return [
        {
            "name": item.findtext("serviceId/name", ""),
            "type": item.findtext("serviceId/type", ""),
            "partition": item.findtext("serviceId/partition", ""),
            "uri": item.findtext("serviceId/uri", ""),
            "state": item.findtext("localState", ""),
            "epoch": item.findtext("localEpoch", ""),
        }
        for item in root(reply).findall("serviceStatuses/item")
    ]


def names(reply: Any) -> list[str]:
    return [s["name"] for s in services(reply)]


def properties(reply: Any) -> dict[str, dict[str, str]]:
    return {
        item.findtext("name", ""): {child.tag: child.text or "" for child in item}
        for item in root(reply).findall("properties/item")
    }


def describe(admin: Call, endpoint: int = 0, **params: str) -> Any:
    return admin("bootstrap", {"Action": "DescribeServices", **V, **params}, endpoint)


@pytest.fixture
def fresh() -> Iterator[LocalCloud]:
    """A cloud of its own for tests that change properties (no moto: starts in milliseconds)."""
    with LocalCloud(endpoints=2, partitions=2, aws=False) as c:
        yield c


@pytest.fixture
def prop(fresh: LocalCloud, signed: Call) -> Call:
    def call(action: str, **params: str) -> Any:
        return signed(
            fresh.service_url("euprop"),
            {"Action": action, **V, **params},
            access_key=fresh.access_key,
            secret_key=fresh.secret_key,
        )

    return call


# Routing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["properties", "PROPERTIES"])
def test_a_request_to_slash_is_routed_by_the_host_name(
    cloud: LocalCloud, signed: Call, label: str
) -> None:
    host = f"{label}.{cloud.dns_domain}:{cloud.endpoint(1).port}"
    reply = signed(
        cloud.endpoint(1).url + "/",
        {"Action": "DescribeProperties", **V, "Property.1": "dns.enabled"},
        access_key=cloud.access_key,
        secret_key=cloud.secret_key,
        host=host,
    )
    assert list(properties(reply)) == ["dns.enabled"]
    assert cloud.endpoint(1).requests[-1].service == "properties"


@pytest.mark.parametrize("label", ["bootstrap", "bootstrap-admin"])
def test_bootstrap_host_names_reach_describe_services(
    cloud: LocalCloud, signed: Call, label: str
) -> None:
    reply = signed(
        cloud.url + "/",
        {"Action": "DescribeServices", **V, "ListAll": "true"},
        access_key=cloud.access_key,
        secret_key=cloud.secret_key,
        host=f"{label}.{cloud.dns_domain}",
    )
    assert len(services(reply)) == 1 + 3 * 7 + 2 * 2


def test_the_internal_path_prefix_is_accepted(cloud: LocalCloud, signed: Call) -> None:
    reply = signed(
        cloud.url + "/internal/Properties",
        {"Action": "DescribeProperties", **V, "Property.1": "euca.version"},
        access_key=cloud.access_key,
        secret_key=cloud.secret_key,
    )
    assert properties(reply)["euca.version"]["value"] == "4.4.2"


def test_an_unknown_path_and_host_is_a_404(cloud: LocalCloud, signed: Call) -> None:
    reply = signed(
        cloud.url + "/services/Nowhere",
        {"Action": "DescribeServices", **V},
        access_key=cloud.access_key,
        secret_key=cloud.secret_key,
    )
    assert reply.status == 404
    assert "<Code>404 Not Found</Code>" in reply.text


def test_get_with_query_parameters_works_like_post(admin: Call) -> None:
    reply = admin(
        "properties", {"Action": "DescribeProperties", **V, "Property.1": "dns."}, method="GET"
    )
    assert sorted(properties(reply)) == ["dns.enabled", "dns.services.enabled"]


def test_operation_is_accepted_instead_of_action(admin: Call) -> None:
    reply = admin(
        "properties", {"Operation": "DescribeProperties", **V, "Property.1": "euca.version"}
    )
    assert list(properties(reply)) == ["euca.version"]


# DescribeServices ----------------------------------------------------------------------------


def test_list_all_reports_every_endpoint_and_partition_service(
    cloud: LocalCloud, admin: Call
) -> None:
    rows = services(describe(admin, ListAll="true"))
    assert len(rows) == 1 + 3 * 7 + 2 * 2
    compute = [r for r in rows if r["type"] == "compute"]
    assert [(r["name"], r["partition"], r["uri"]) for r in compute] == [
        ("ufs0.compute", "PARTI00", cloud.service_url("ec2", 0)),
        ("ufs1.compute", "PARTI01", cloud.service_url("ec2", 1)),
        ("ufs2.compute", "PARTI00", cloud.service_url("ec2", 2)),
    ]
    assert {r["state"] for r in rows} == {"ENABLED"}
    assert len({r["epoch"] for r in rows}) == 1
    assert [r["name"] for r in rows if r["type"] in ("cluster", "storage")] == [
        "PARTI00.cluster",
        "PARTI00.storage",
        "PARTI01.cluster",
        "PARTI01.storage",
    ]


def test_without_list_all_only_the_answering_hosts_public_services_show(admin: Call) -> None:
    assert names(describe(admin, endpoint=1)) == [
        "127.0.0.1",  # the cloud controller, registered like the zone services
        "ufs1.bootstrap",
        "ufs1.compute",
        "ufs1.euare",
        "ufs1.tokens",
        "ufs1.objectstorage",
        "PARTI00.cluster",
        "PARTI00.storage",
        "PARTI01.cluster",
        "PARTI01.storage",
    ]


def test_the_cloud_controller_is_registered_on_the_first_endpoints_host(
    cloud: LocalCloud, admin: Call
) -> None:
    # As initializing a cloud registers it: type and partition eucalyptus, named for its host.
    (row,) = [r for r in services(describe(admin, ListAll="true")) if r["type"] == "eucalyptus"]
    assert row == {"name": "127.0.0.1", "type": "eucalyptus", "partition": "eucalyptus",
                   "uri": cloud.url + "/services/Eucalyptus", "state": "ENABLED",
                   "epoch": row["epoch"]}
    reply = root(admin("configuration", {"Action": "DescribeEucalyptus", **V}))
    assert [(i.findtext("name"), i.findtext("fullName"), i.findtext("state"))
            for i in reply.findall("registered/item")] == [
        ("127.0.0.1", "arn:euca:eucalyptus:eucalyptus:eucalyptus:127.0.0.1/", "ENABLED")]


def test_list_user_services_adds_the_co_located_admin_services(admin: Call) -> None:
    shown = names(describe(admin, endpoint=2, ListUserServices="true"))
    assert {"ufs2.properties", "ufs2.configuration"} <= set(shown)
    assert not any(name.startswith(("ufs0.", "ufs1.")) for name in shown)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ByServiceType": "cluster"}, ["PARTI00.cluster", "PARTI01.cluster"]),
        ({"ByServiceType": "compute", "ByPartition": "PARTI00"}, ["ufs0.compute", "ufs2.compute"]),
        ({"ByPartition": "PARTI01", "ByServiceType": "storage"}, ["PARTI01.storage"]),
        (
            {"ByState": "enabled", "ByServiceType": "tokens"},
            ["ufs0.tokens", "ufs1.tokens", "ufs2.tokens"],
        ),
        ({"ByState": "STOPPED"}, []),
        ({"ByHost": "10.1.2.3"}, []),
        (
            {
                "ServiceName.1": "ufs2.euare",
                "ServiceName.2": "arn:euca:eucalyptus:PARTI01:cluster:PARTI01.cluster/",
            },
            ["ufs2.euare", "PARTI01.cluster"],
        ),
    ],
)
def test_describe_services_parameters_narrow_the_result(
    admin: Call, params: dict[str, str], expected: list[str]
) -> None:
    assert names(describe(admin, ListAll="true", **params)) == expected


def test_by_host_matches_the_endpoints_address(admin: Call) -> None:
    assert len(names(describe(admin, ListAll="true", ByHost="127.0.0.1"))) == 26


def test_by_service_type_accepts_a_service_group(admin: Call) -> None:
    rows = services(describe(admin, ListAll="true", ByServiceType="user-api"))
    assert sorted({r["type"] for r in rows}) == ["compute", "euare", "objectstorage", "tokens"]
    assert len(rows) == 12


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {
                "Filter.1.Name": "service-type",
                "Filter.1.Value.1": "compute",
                "Filter.1.Value.2": "euare",
            },
            [
                "ufs0.compute",
                "ufs0.euare",
                "ufs1.compute",
                "ufs1.euare",
                "ufs2.compute",
                "ufs2.euare",
            ],
        ),
        (
            {
                "Filter.1.Name": "service-type",
                "Filter.1.Value.1": "compute",
                "Filter.2.Name": "partition",
                "Filter.2.Value.1": "PARTI01",
            },
            ["ufs1.compute"],
        ),
        (
            {"Filter.1.Name": "certificate-usage", "Filter.1.Value.1": "image-bundling"},
            ["ufs0.compute", "ufs1.compute", "ufs2.compute"],
        ),
        (
            {
                "Filter.1.Name": "public",
                "Filter.1.Value.1": "false",
                "Filter.2.Name": "host",
                "Filter.2.Value.1": "127.0.0.1",
                "Filter.3.Name": "service-group-member",
                "Filter.3.Value.1": "false",
                "Filter.4.Name": "partition",
                "Filter.4.Value.1": "PARTI01",
            },
            [
                "ufs1.bootstrap",
                "ufs1.properties",
                "ufs1.configuration",
                "PARTI01.cluster",
                "PARTI01.storage",
            ],
        ),
        (
            {
                "Filter.1.Name": "user-service",
                "Filter.1.Value.1": "true",
                "Filter.2.Name": "service-type",
                "Filter.2.Value.1": "bootstrap",
            },
            ["ufs0.bootstrap", "ufs1.bootstrap", "ufs2.bootstrap"],
        ),
        (
            {
                "Filter.1.Name": "service-group",
                "Filter.1.Value.1": "user-api",
                "Filter.2.Name": "state",
                "Filter.2.Value.1": "ENABLED",
                "Filter.3.Name": "internal",
                "Filter.3.Value.1": "false",
                "Filter.4.Name": "partition",
                "Filter.4.Value.1": "PARTI01",
            },
            ["ufs1.compute", "ufs1.euare", "ufs1.tokens", "ufs1.objectstorage"],
        ),
    ],
)
def test_filters_or_their_values_and_and_each_other(
    admin: Call, filters: dict[str, str], expected: list[str]
) -> None:
    assert names(describe(admin, ListAll="true", **filters)) == expected


def test_an_unknown_filter_name_matches_nothing(admin: Call) -> None:
    reply = describe(
        admin, ListAll="true", **{"Filter.1.Name": "colour", "Filter.1.Value.1": "blue"}
    )
    assert services(reply) == []
    assert "<euca:serviceStatuses></euca:serviceStatuses>" in reply.text


def test_filter_names_are_case_sensitive(admin: Call) -> None:
    reply = describe(
        admin, ListAll="true", **{"Filter.1.Name": "Service-Type", "Filter.1.Value.1": "compute"}
    )
    assert services(reply) == []


def test_the_state_filter_takes_any_case(admin: Call) -> None:
    # The server reads each value as a Component.State, upper-cased.
    upper, lower = (
        names(describe(admin, ListAll="true", **{"Filter.1.Name": "state", "Filter.1.Value.1": v}))
        for v in ("ENABLED", "enabled")
    )
    assert lower == upper
    assert len(lower) == len(names(describe(admin, ListAll="true")))


@pytest.mark.parametrize(
    "params", [{"Filter.1.Name": "state", "Filter.1.Value.1": "sleeping"}, {"ByState": "sleeping"}]
)
def test_a_state_that_does_not_exist_is_an_error(admin: Call, params: dict[str, str]) -> None:
    reply = describe(admin, ListAll="true", **params)
    assert reply.status == 400
    assert "<Code>DescribeServicesType</Code>" in reply.text
    assert "No enum constant com.eucalyptus.component.Component.State.SLEEPING" in reply.text


def test_a_non_admin_account_sees_only_public_services(cloud: LocalCloud, admin: Call) -> None:
    key, secret = cloud.add_credentials(account="acme")
    reply = admin(
        "bootstrap",
        {"Action": "DescribeServices", **V, "ListAll": "true"},
        access_key=key,
        secret_key=secret,
    )
    rows = services(reply)
    assert sorted({r["type"] for r in rows}) == ["compute", "euare", "objectstorage", "tokens"]


def test_a_non_admin_account_may_not_read_properties(cloud: LocalCloud, admin: Call) -> None:
    key, secret = cloud.add_credentials(account="acme")
    reply = admin(
        "properties", {"Action": "DescribeProperties", **V}, access_key=key, secret_key=secret
    )
    assert reply.status == 403
    assert "<Code>403 Forbidden</Code>" in reply.text
    assert reply.headers["content-type"] == "text/plain"


# Properties ----------------------------------------------------------------------------------


def test_the_seeded_properties_describe_this_cloud(cloud: LocalCloud, admin: Call) -> None:
    props = properties(admin("properties", {"Action": "DescribeProperties", **V}))
    assert len(props) >= 25
    assert props["system.dns.dnsdomain"]["value"] == "localcloud.test"
    assert props["PARTI01.cluster.sourcehostname"]["readOnly"] == "false"
    assert props["euca.version"]["readOnly"] == "true"
    for name in (
        "cloud.network.network_configuration",
        "authentication.ldap_integration_configuration",
        "bootstrap.webservices.unknown_parameter_handling",
        "dns.enabled",
    ):
        assert name in props


def test_the_worker_and_authentication_properties_are_those_of_a_4_4_cloud(prop: Call) -> None:
    reply = prop("DescribeProperties", **{"Property.1": "services.", "Property.2": "authentic"})
    props = {name: p["defaultValue"] for name, p in properties(reply).items()}
    assert {name.rsplit(".", 1)[1]: value for name, value in props.items()
            if name.startswith("services.imaging.worker.")} == {
        "availability_zones": "", "configured": "false", "expiration_days": "180",
        "healthcheck": "true", "image": "NULL", "init_script": "", "instance_type": "m1.small",
        "keyname": "", "log_server": "", "log_server_port": "514", "ntp_server": ""}
    assert props["services.loadbalancing.worker.instance_type"] == "m1.medium"
    assert props["authentication.default_password_expiry"] == "60d"
    # 4.3 stopped registering the database worker's properties; this cloud reports 4.4.2.
    assert not [name for name in props if name.startswith("services.database.")]
    refused = prop("ModifyPropertyValue", Name="services.imaging.worker.configured", Value="yes")
    assert refused.status == 400


def test_a_cloud_in_another_region_names_it_in_region_name() -> None:
    with LocalCloud(endpoints=1, partitions=1, region="lab", aws=False) as lab:
        assert lab.properties.get("region.region_name").value == "lab"
    with LocalCloud(endpoints=1, partitions=1, aws=False) as default:
        assert default.properties.get("region.region_name").value == ""


def test_property_names_match_by_plain_prefix(prop: Call) -> None:
    reply = prop("DescribeProperties", **{"Property.1": "dns", "Property.2": "euca.version"})
    assert sorted(properties(reply)) == ["dns.enabled", "dns.services.enabled", "euca.version"]


def test_hidden_values_are_masked(prop: Call) -> None:
    shown = properties(prop("DescribeProperties", **{"Property.1": "objectstorage.s3provider"}))
    assert shown["objectstorage.s3provider.s3secretkey"]["value"] == "********"
    assert shown["objectstorage.s3provider.s3secretkey"]["defaultValue"] == "********"


def test_modifying_a_hidden_value_masks_both_values(fresh: LocalCloud, prop: Call) -> None:
    reply = root(
        prop("ModifyPropertyValue", Name="objectstorage.s3provider.s3secretkey", Value="new-secret")
    )
    assert (reply.findtext("value"), reply.findtext("oldValue")) == ("********", "********")
    assert fresh.properties.get("objectstorage.s3provider.s3secretkey").value == "new-secret"


def test_reset_restores_the_default_and_ignores_value(prop: Call) -> None:
    prop("ModifyPropertyValue", Name="dns.enabled", Value="false")
    reply = root(prop("ModifyPropertyValue", Name="dns.enabled", Reset="TRUE", Value="false"))
    assert (reply.findtext("value"), reply.findtext("oldValue")) == ("true", "false")


def test_a_read_only_property_is_silently_left_alone(prop: Call) -> None:
    reply = root(prop("ModifyPropertyValue", Name="euca.version", Value="5.0"))
    assert (reply.findtext("value"), reply.findtext("oldValue")) == ("4.4.2", "4.4.2")
    shown = properties(prop("DescribeProperties", **{"Property.1": "euca.version"}))
    assert shown["euca.version"]["value"] == "4.4.2"


def test_an_empty_value_sets_an_empty_string(fresh: LocalCloud, prop: Call) -> None:
    reply = root(prop("ModifyPropertyValue", Name="PARTI01.cluster.sourcehostname", Value=""))
    assert (reply.findtext("value"), reply.findtext("oldValue")) == ("", "127.0.0.1")
    assert fresh.properties.get("PARTI01.cluster.sourcehostname").value == ""


def test_the_euca_property_is_refused(prop: Call) -> None:
    reply = prop("ModifyPropertyValue", Name="euca", Value="1 + 1")
    assert reply.status == 400
    assert "<Code>ModifyPropertyValueType</Code>" in reply.text
    assert "does not execute code" in reply.text


def test_an_invalid_value_is_refused_with_the_reason(prop: Call) -> None:
    reply = prop("ModifyPropertyValue", Name="cloud.network.network_configuration", Value="{")
    assert reply.status == 400
    assert "Failed to set property: invalid JSON" in reply.text
