"""Endpoints from DNS, against a real DNS server on 127.0.0.1: Eucalyptus-style A-only zones,
SRV zones, TTLs, NXDOMAIN and timeouts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dnslib import SRV, A

from euca_boto import ConfigError
from euca_boto.endpoints import EndpointError, selector_of
from euca_boto.endpoints.model import DNS, DNS_SRV
from euca_boto.endpoints.sources.dns import DnsQuery, DnsSource
from euca_boto.testing import LocalCloud

DOMAIN = "cloud.test"


def hits(cloud: LocalCloud) -> list[int]:
    return [len(e.requests) for e in cloud.endpoints]


def call(client: Any) -> str:
    return str(client.describe_properties(Properties=["dns.enabled"])["Properties"][0]["Name"])


def first_call_error(make_session: Callable[..., Any]) -> str:
    """The message of the EndpointError that a new session's first euprop call raises."""
    euprop = make_session().client("euprop")
    with pytest.raises(EndpointError) as caught:
        call(euprop)
    return str(caught.value)


def srv_zone(dns: Any, cloud: LocalCloud, label: str = "properties",
             priorities: tuple[int, ...] = (10, 10, 10), ttl: int = 60) -> None:
    for i, endpoint in enumerate(cloud.endpoints):
        target = f"ufs{i}.{DOMAIN}"
        dns.zone.add(f"_{label}._tcp.{DOMAIN}", "SRV",
                     SRV(priority=priorities[i], weight=1, port=endpoint.port, target=target), ttl)
        dns.zone.add(target, "A", A("127.0.0.1"), ttl)


@pytest.fixture
def dns_profile(profile: Callable[..., Path], dns: Any) -> Callable[..., Path]:
    def write(*extra: str) -> Path:
        return profile("euca_topology = dns", f"euca_dns_domain = {DOMAIN}",
                       f"euca_dns_resolver = {dns.address}", *extra, services_section=False)

    return write


def test_a_records_become_endpoints_with_the_service_path(dns: Any) -> None:
    dns.zone.add(f"ec2.{DOMAIN}", "A", A("10.1.0.5"), 60)
    dns.zone.add(f"ec2.{DOMAIN}", "A", A("10.1.0.6"), 60)
    source = DnsSource(DnsQuery("ec2", DOMAIN, "/services/compute", resolver=dns.address))
    endpoints, ttl = source.load(None)
    assert [(e.url, e.source) for e in endpoints] == [
        ("http://10.1.0.5:8773/services/compute", DNS),
        ("http://10.1.0.6:8773/services/compute", DNS),
    ]
    assert ttl == 60
    assert dns.zone.asked(f"_ec2._tcp.{DOMAIN}") == 1  # SRV first, NXDOMAIN as Eucalyptus


def test_srv_records_give_priority_weight_and_port(dns: Any) -> None:
    dns.zone.add(f"_ec2._tcp.{DOMAIN}", "SRV",
                 SRV(priority=5, weight=30, port=18773, target=f"a.{DOMAIN}"), 20)
    dns.zone.add(f"a.{DOMAIN}", "A", A("10.1.0.7"), 45)
    source = DnsSource(DnsQuery("ec2", DOMAIN, "/services/compute", resolver=dns.address))
    endpoints, ttl = source.load(None)
    assert [(e.url, e.source, e.priority, e.weight) for e in endpoints] == [
        ("http://10.1.0.7:18773/services/compute", DNS_SRV, 5, 30)]
    assert ttl == 20


def test_an_a_only_zone_as_eucalyptus_serves_it_routes_calls(
    dns_profile: Callable[..., Path], dns: Any, fresh_cloud: LocalCloud,
    make_session: Callable[..., Any]
) -> None:
    dns.zone.add(f"properties.{DOMAIN}", "A", A("127.0.0.1"), 60)
    dns_profile(f"euca_endpoint = http://127.0.0.1:{fresh_cloud.endpoint(1).port}/")
    euprop = make_session().client("euprop")
    assert euprop.meta.endpoint_url == (
        f"http://properties.{DOMAIN}:{fresh_cloud.endpoint(1).port}/services/Properties")
    assert [call(euprop) for _ in range(2)] == ["dns.enabled"] * 2
    assert hits(fresh_cloud) == [0, 2, 0]


def test_srv_endpoints_share_the_calls_and_survive_a_stopped_endpoint(
    dns_profile: Callable[..., Path], dns: Any, fresh_cloud: LocalCloud,
    make_session: Callable[..., Any]
) -> None:
    srv_zone(dns, fresh_cloud)
    dns_profile()
    euprop = make_session().client("euprop")
    assert [call(euprop) for _ in range(6)] == ["dns.enabled"] * 6
    assert hits(fresh_cloud) == [2, 2, 2]
    fresh_cloud.endpoint(0).stop()
    assert [call(euprop) for _ in range(6)] == ["dns.enabled"] * 6
    assert sum(hits(fresh_cloud)[1:]) == 10


def test_a_lower_srv_priority_is_only_used_when_the_better_ones_fail(
    dns_profile: Callable[..., Path], dns: Any, fresh_cloud: LocalCloud,
    make_session: Callable[..., Any]
) -> None:
    srv_zone(dns, fresh_cloud, priorities=(10, 10, 20))
    dns_profile()
    euprop = make_session().client("euprop")
    [call(euprop) for _ in range(4)]
    assert hits(fresh_cloud) == [2, 2, 0]
    fresh_cloud.endpoint(0).stop()
    fresh_cloud.endpoint(1).stop()
    assert call(euprop) == "dns.enabled"
    assert hits(fresh_cloud)[2] == 1


def test_answers_are_cached_for_their_ttl(
    dns_profile: Callable[..., Path], dns: Any, fresh_cloud: LocalCloud,
    make_session: Callable[..., Any], clock: Any
) -> None:
    dns.zone.add(f"properties.{DOMAIN}", "A", A("127.0.0.1"), 30)
    dns_profile(f"euca_endpoint = http://127.0.0.1:{fresh_cloud.endpoint(0).port}/")
    euprop = make_session().client("euprop")
    [call(euprop) for _ in range(3)]
    clock.advance(29)
    call(euprop)
    assert dns.zone.asked(f"properties.{DOMAIN}") == 2  # one A and one AAAA query
    clock.advance(1)
    call(euprop)
    assert dns.zone.asked(f"properties.{DOMAIN}") == 4


def test_a_changed_answer_is_followed_after_the_ttl(
    dns_profile: Callable[..., Path], dns: Any, fresh_cloud: LocalCloud,
    make_session: Callable[..., Any], clock: Any
) -> None:
    srv_zone(dns, fresh_cloud, ttl=10)
    dns_profile()
    session = make_session()
    euprop = session.client("euprop")
    call(euprop)
    dns.zone.clear()
    dns.zone.add(f"_properties._tcp.{DOMAIN}", "SRV",
                 SRV(priority=1, weight=1, port=fresh_cloud.endpoint(2).port,
                     target=f"ufs2.{DOMAIN}"), 10)
    dns.zone.add(f"ufs2.{DOMAIN}", "A", A("127.0.0.1"), 10)
    clock.advance(10)
    [call(euprop) for _ in range(3)]
    assert hits(fresh_cloud) == [1, 0, 3]
    rows = selector_of(session).rows("euprop")
    assert [r.endpoint.url for r in rows] == [fresh_cloud.service_url("euprop", 2)]


def test_a_failed_reload_keeps_the_last_good_answer_and_says_so(
    dns_profile: Callable[..., Path], dns: Any, fresh_cloud: LocalCloud,
    make_session: Callable[..., Any], clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    srv_zone(dns, fresh_cloud, ttl=10)
    dns_profile()
    euprop = make_session().client("euprop")
    call(euprop)
    dns.zone.clear()  # every name is NXDOMAIN now
    clock.advance(11)
    with caplog.at_level(logging.WARNING, logger="euca_boto.endpoints"):
        assert [call(euprop) for _ in range(3)] == ["dns.enabled"] * 3
    assert (f"DNS properties.{DOMAIN}: reload failed, keeping the last good answer: "
            f"DNS name properties.{DOMAIN} does not exist (NXDOMAIN from {dns.address})"
            ) in caplog.text
    assert caplog.text.count("reload failed") == 1  # not retried on every call


def test_nxdomain_is_a_clear_error(
    dns_profile: Callable[..., Path], dns: Any, make_session: Callable[..., Any]
) -> None:
    dns_profile()
    assert first_call_error(make_session) == (
        f"DNS name properties.{DOMAIN} does not exist (NXDOMAIN from {dns.address}); "
        f"check euca_dns_domain")


def test_a_dns_server_that_does_not_answer_is_a_clear_error(
    profile: Callable[..., Path], silent_dns: str, make_session: Callable[..., Any]
) -> None:
    profile("euca_topology = dns", f"euca_dns_domain = {DOMAIN}",
            f"euca_dns_resolver = {silent_dns}", "euca_dns_timeout = 200ms",
            services_section=False)
    assert first_call_error(make_session) == (
        f"DNS lookup of _properties._tcp.{DOMAIN} (SRV) timed out after 0.2 s: {silent_dns} "
        f"did not answer; check euca_dns_resolver")


def test_dns_topology_without_a_domain_is_a_config_error(
    profile: Callable[..., Path], make_session: Callable[..., Any]
) -> None:
    profile("euca_topology = dns", services_section=False)
    with pytest.raises(ConfigError) as caught:
        make_session().client("euprop")
    assert str(caught.value) == (
        "euca_topology = dns (file (profile localcloud)) needs euca_dns_domain, the cloud's "
        "DNS domain (e.g. cloud.example.com)")


def test_a_resolver_given_by_name_is_a_clear_error(
    profile: Callable[..., Path], make_session: Callable[..., Any]
) -> None:
    profile("euca_topology = dns", f"euca_dns_domain = {DOMAIN}",
            "euca_dns_resolver = dns.example.com:53", services_section=False)
    with pytest.raises(EndpointError, match="must be given as an IP address"):
        make_session().client("euprop")


def test_a_failed_lookup_is_not_repeated_for_every_call(
    dns_profile: Callable[..., Path], dns: Any, make_session: Callable[..., Any], clock: Any
) -> None:
    dns_profile()
    euprop = make_session().client("euprop")
    for _ in range(3):
        with pytest.raises(EndpointError):
            call(euprop)
    assert dns.zone.asked(f"properties.{DOMAIN}") == 1
    clock.advance(5)
    with pytest.raises(EndpointError):
        call(euprop)
    assert dns.zone.asked(f"properties.{DOMAIN}") == 2
