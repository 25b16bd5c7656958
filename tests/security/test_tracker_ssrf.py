"""A hook may target only a globally reachable address, whatever form the address takes: the
table below is the IANA IPv4 and IPv6 Special-Purpose Address Registries (plus multicast and
the IPv6 space outside 2000::/3), each block tried bare and, for IPv4, inside every IPv6 form
that carries an IPv4 address. The attacker registers a hook on such an address through the
API, or makes a registered name resolve to it before a delivery."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable

import pytest
import requests
from tracker_attack_support import make_service, proof  # noqa: F401 - a fixture

from euca_boto.testing import LocalCloud
from euca_boto.tracker import Deliverer, TrackerService
from euca_boto.tracker.delivery import HttpSender
from euca_boto.tracker.destinations import DestinationPolicy, ForbiddenDestination
from euca_boto.tracker.identity import IDENTITY_HEADER
from euca_boto.tracker.model import INSTANCE
from euca_boto.tracker.store import open_store

# IANA IPv4 Special-Purpose Address Registry: the blocks not globally reachable (192.0.0.9 and
# .10 inside 192.0.0.0/24 are reachable anycast services, refused with their block: no hook
# receiver lives there), the deprecated 6to4 relay anycast, then multicast and the reserved
# 240/4 and broadcast from the IPv4 address space registry.
NOT_GLOBAL_V4 = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.0.8/32", "192.0.0.170/31",
    "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
]
# IANA IPv6 Special-Purpose Address Registry, not globally reachable (64:ff9b::/96, 2002::/16
# and 2001::/32 carry IPv4 addresses and are tried below with each IPv4 block), and the space
# outside global unicast 2000::/3: site-local fec0::/10, multicast, the rest of ::/3 and 4000::/2.
NOT_GLOBAL_V6 = [
    "::1/128", "::/128", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64", "2001::/23",
    "2001:2::/48", "2001:10::/28", "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7",
    "fe80::/10", "fec0::/10", "ff00::/8", "4000::/3", "8000::/2", "1000::/4",
]
GLOBAL_V4 = ["8.8.8.8", "1.1.1.1", "9.9.9.9", "100.128.0.1", "172.32.0.1", "192.169.0.1",
             "193.0.14.129", "223.255.255.1"]
GLOBAL_V6 = ["2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:81c::200e",
             "2400:cb00::1"]
SERVER = ipaddress.IPv4Address("65.54.227.120")  # a global Teredo server


def _samples(network: str) -> list[str]:
    net = ipaddress.ip_network(network)
    picks = {net.network_address, net.broadcast_address,
             net.network_address + net.num_addresses // 2}
    return [str(a) for a in sorted(picks)]


def _wrapped(v4: str) -> dict[str, str]:
    """The IPv6 forms that carry ``v4``."""
    n = int(ipaddress.IPv4Address(v4))
    client = n ^ 0xFFFFFFFF  # Teredo stores the client address inverted
    return {
        "mapped": str(ipaddress.IPv6Address(0xFFFF << 32 | n)),
        "compatible": str(ipaddress.IPv6Address(n)) if n > 1 else "::2",
        "6to4": str(ipaddress.IPv6Address(0x2002 << 112 | n << 80)),
        "nat64": str(ipaddress.IPv6Address(0x64FF9B << 96 | n)),
        "teredo-client": str(ipaddress.IPv6Address(
            0x20010000 << 96 | int(SERVER) << 64 | client)),
        "teredo-server": str(ipaddress.IPv6Address(
            0x20010000 << 96 | n << 64 | (int(ipaddress.IPv4Address("8.8.8.8")) ^ 0xFFFFFFFF))),
    }


REFUSED = sorted({
    *(a for block in NOT_GLOBAL_V4 for a in _samples(block)),
    *(a for block in NOT_GLOBAL_V6 for a in _samples(block)),
    *(w for block in NOT_GLOBAL_V4 for a in _samples(block) for w in _wrapped(a).values()),
})
ALLOWED = sorted({*GLOBAL_V4, *GLOBAL_V6,
                  *(w for a in GLOBAL_V4 for w in _wrapped(a).values())})


def _policy(allow: tuple[str, ...] = ()) -> DestinationPolicy:
    # An IP literal resolves to itself, as getaddrinfo does.
    return DestinationPolicy(allow, resolver=lambda host, port: [host])


def _url(address: str) -> str:
    return f"http://[{address}]/hook" if ":" in address else f"http://{address}/hook"


@pytest.mark.parametrize("address", REFUSED)
def test_an_address_that_is_not_globally_reachable_is_refused(address: str) -> None:
    with pytest.raises(ForbiddenDestination, match="is not a global address"):
        _policy().check(_url(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_a_global_address_is_accepted_in_every_form(address: str) -> None:
    assert _policy().check(_url(address)) == address


def test_the_operators_allowlist_admits_a_network_in_any_form() -> None:
    policy = _policy(("100.64.0.0/10",))
    for form in ["100.100.100.200", *_wrapped("100.100.100.200").values()]:
        if "teredo-server" not in form:
            assert policy.check(_url(form)) == form
    with pytest.raises(ForbiddenDestination):
        policy.check(_url("127.0.0.1"))


@pytest.mark.parametrize("url, reason", [
    ("http://100.100.100.200/latest/meta-data/", "shared address space, 100.64.0.0/10"),
    ("http://[2002:7f00:1::]/hook", "carries 127.0.0.1, loopback, 127.0.0.0/8"),
    ("http://[2002:a9fe:a9fe::]/latest/", "carries 169.254.169.254, link-local"),
    ("http://[fec0::1]/hook", "site-local, fec0::/10"),
], ids=["metadata-100.100.100.200", "6to4-loopback", "6to4-metadata", "site-local"])
def test_a_hook_registered_on_an_internal_address_is_refused(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
    url: str, reason: str,
) -> None:
    service = make_service()
    body = json.dumps({"track_hook": url}).encode()
    reply = requests.put(service.url + "/instances", data=body, timeout=30,
                         headers={IDENTITY_HEADER: proof(cloud, "PUT", "/instances", body)})
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["code"] == "ForbiddenDestination"
    assert reason in error["message"] and "euca_tracker_hook_allow" in error["message"]
    hooks = requests.get(service.url + "/hooks", timeout=30,
                         headers={IDENTITY_HEADER: proof(cloud, "GET", "/hooks")})
    assert hooks.json() == {"hooks": []}


@pytest.mark.parametrize("address", ["100.100.100.200", "2002:7f00:1::", "2002:a9fe:a9fe::",
                                     "fec0::1"])
def test_a_name_that_resolves_to_an_internal_form_at_delivery_is_not_sent_to(
    tmp_path: object, address: str
) -> None:
    store = open_store(f"{tmp_path}/feed.db")
    store.apply("acct", INSTANCE, {"i-1": "pending"}, 1.0)
    hook = store.put_hook("acct", INSTANCE, "", "http://hooks.example/hook", "t" * 20)
    store.apply("acct", INSTANCE, {"i-1": "running"}, 2.0)
    rebound = DestinationPolicy(resolver=lambda host, port: [address])
    deliverer = Deliverer(store, sender=HttpSender(destinations=rebound), sleep=lambda s: None)
    assert deliverer.deliver() == 0
    failed = store.get_hook(hook.id)
    assert failed is not None
    assert f"hooks.example ({address}) is not a global address" in (failed.last_error or "")
    store.close()
