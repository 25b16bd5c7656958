"""The selection policy on its own: tiers, spread, ejection, probes (no network)."""

from __future__ import annotations

from collections import Counter

from euca_boto.endpoints import EjectionPolicy, Endpoint, State
from euca_boto.endpoints.health import HealthBoard
from euca_boto.endpoints.selection import SPREAD, Route, Tiers, order


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def eps(*specs: tuple[str, str | None]) -> tuple[Endpoint, ...]:
    return tuple(Endpoint(f"http://{name}:8773/services/compute", "static", part)
                 for name, part in specs)


def names(endpoints: list[Endpoint]) -> list[str]:
    return [ep.url.split("//")[1].split(":")[0] for ep in endpoints]


def route(endpoints: tuple[Endpoint, ...], board: HealthBoard, zone: str | None = None) -> Route:
    return Route("ec2", "http://base:8773/services/compute", lambda: endpoints, board,
                 EjectionPolicy(5.0, 40.0), frozenset({500, 503}), zone)


def test_zone_endpoints_come_first_then_the_others() -> None:
    board = HealthBoard(Clock())
    endpoints = eps(("a", "P0"), ("b", "P1"), ("c", "P0"), ("d", "P1"))
    ordered, _ = order(Tiers.of(endpoints, "P1"), board, 0.0, turn=0)
    assert names(ordered) == ["b", "d", "a", "c"]


def test_successive_calls_start_at_successive_endpoints_of_a_tier() -> None:
    board = HealthBoard(Clock())
    r = route(eps(("a", None), ("b", None), ("c", None)), board)
    firsts = [names(r.plan(r.base).endpoints)[0] for _ in range(6)]
    assert firsts == ["a", "b", "c", "a", "b", "c"]


def test_a_client_keeps_to_its_window_of_a_large_tier_and_clients_get_successive_ones(
) -> None:
    board = HealthBoard(Clock())
    r = route(eps(*((f"h{i}", None) for i in range(20))), board)
    one, two = Clock(), Clock()  # any objects that stand for two clients
    firsts = {client: [names(r.plan(r.base, client=client).endpoints)[0] for _ in range(40)]
              for client in (one, two)}
    assert len(set(firsts[one])) == len(set(firsts[two])) == SPREAD
    index = {f"h{i}": i for i in range(20)}
    start = index[names(r.plan(r.base, client=one).endpoints)[SPREAD]] - SPREAD
    assert {index[n] for n in firsts[one]} == {(start + i) % 20 for i in range(SPREAD)}
    assert {index[n] for n in firsts[two]} == {(start + SPREAD + i) % 20 for i in range(SPREAD)}
    # The plan still holds every endpoint: failover can go outside the window.
    assert len(r.plan(r.base, client=one).endpoints) == 20


def test_srv_priority_splits_tiers_and_weights_share_calls() -> None:
    board = HealthBoard(Clock())
    endpoints = (
        Endpoint("http://heavy:1/x", "dns-srv", priority=10, weight=90),
        Endpoint("http://light:1/x", "dns-srv", priority=10, weight=10),
        Endpoint("http://backup:1/x", "dns-srv", priority=20, weight=1),
    )
    tiers = Tiers.of(endpoints, None)
    firsts = Counter(names(order(tiers, board, 0.0, turn=i)[0])[0] for i in range(2000))
    assert set(firsts) == {"heavy", "light"}
    assert 0.8 < firsts["heavy"] / 2000 < 0.97
    assert all(names(order(tiers, board, 0.0, turn=i)[0])[-1] == "backup" for i in range(50))


def test_a_failed_endpoint_is_ejected_for_a_period_that_doubles_up_to_the_cap() -> None:
    clock = Clock()
    board = HealthBoard(clock)
    policy = EjectionPolicy(5.0, 40.0)
    periods = [board.failed("http://a", policy, "refused") for _ in range(6)]
    assert periods == [5.0, 10.0, 20.0, 40.0, 40.0, 40.0]
    assert board.health("http://a").state is State.EJECTED


def test_ejected_endpoints_go_last_least_recently_failed_first() -> None:
    clock = Clock()
    board = HealthBoard(clock)
    endpoints = eps(("a", None), ("b", None), ("c", None))
    board.failed(endpoints[1].url, EjectionPolicy(), "refused")
    clock.now = 1.0
    board.failed(endpoints[0].url, EjectionPolicy(), "refused")
    ordered, probe = order(Tiers.of(endpoints, None), board, clock.now, turn=0)
    assert names(ordered) == ["c", "b", "a"]
    assert probe is None


def test_when_every_endpoint_is_ejected_the_least_recently_failed_is_tried_first() -> None:
    clock = Clock()
    board = HealthBoard(clock)
    endpoints = eps(("a", None), ("b", None))
    board.failed(endpoints[0].url, EjectionPolicy(), "refused")
    clock.now = 2.0
    board.failed(endpoints[1].url, EjectionPolicy(), "refused")
    ordered, _ = order(Tiers.of(endpoints, None), board, clock.now, turn=1)
    assert names(ordered) == ["a", "b"]


def test_after_the_ejection_one_call_probes_and_a_success_readmits() -> None:
    clock = Clock()
    board = HealthBoard(clock)
    endpoints = eps(("a", None), ("b", None))
    r = route(endpoints, board)
    board.failed(endpoints[0].url, r.ejection, "refused")
    clock.now = 5.0
    first = r.plan(r.base)
    second = r.plan(r.base)
    assert names(first.endpoints) == ["a", "b"] and first.probe == endpoints[0]
    assert names(second.endpoints) == ["b", "a"] and second.probe is None
    assert board.health(endpoints[0].url).state is State.PROBING
    assert board.succeeded(endpoints[0].url) is True
    assert board.health(endpoints[0].url).state is State.HEALTHY


def test_a_failed_probe_ejects_for_longer() -> None:
    clock = Clock()
    board = HealthBoard(clock)
    policy = EjectionPolicy(5.0, 40.0)
    board.failed("http://a", policy, "refused")
    clock.now = 5.0
    assert board.claim_probe("http://a", clock.now)
    assert board.failed("http://a", policy, "refused") == 10.0
    assert board.health("http://a").ejected_for == 10.0


def test_an_unused_probe_is_given_back() -> None:
    clock = Clock()
    board = HealthBoard(clock)
    board.failed("http://a", EjectionPolicy(), "refused")
    clock.now = 5.0
    assert board.claim_probe("http://a", clock.now)
    assert not board.claim_probe("http://a", clock.now)
    board.release_probe("http://a")
    assert board.claim_probe("http://a", clock.now)


def test_a_call_plan_moves_through_every_endpoint_then_wraps() -> None:
    board = HealthBoard(Clock())
    r = route(eps(("a", None), ("b", None), ("c", None)), board)
    plan = r.plan(r.base + "/?Action=DescribeRegions")
    seen = [plan.request_url]
    for _ in range(3):
        plan.advance()
        seen.append(plan.request_url)
    assert seen == [
        "http://a:8773/services/compute/?Action=DescribeRegions",
        "http://b:8773/services/compute/?Action=DescribeRegions",
        "http://c:8773/services/compute/?Action=DescribeRegions",
        "http://a:8773/services/compute/?Action=DescribeRegions",
    ]


def test_only_urls_built_on_the_base_are_routed() -> None:
    r = route(eps(("a", None)), HealthBoard(Clock()))
    assert r.matches("http://base:8773/services/compute")
    assert r.matches("http://base:8773/services/compute/?x=1")
    assert not r.matches("http://base:8773/services/computer")
    assert not r.matches("http://other:8773/services/compute/")
