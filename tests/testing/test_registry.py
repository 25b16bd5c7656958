"""The service registry on its own: state changes, events and epoch notifications."""

from __future__ import annotations

import pytest

from euca_boto.testing.registry import RegistryError, ServiceRegistry
from euca_boto.testing.topology import EndpointView, ServiceView, services


def _base() -> list[ServiceView]:
    return services([EndpointView(0, "127.0.0.1", "http://127.0.0.1:1", "P0", "ENABLED")], ["P0"])


def test_a_change_notifies_once_and_records_an_event_with_java_date_text() -> None:
    changes: list[int] = []
    registry = ServiceRegistry(on_change=lambda: changes.append(1), clock=lambda: 86400.0)
    registry.modify(_base(), "ufs0.compute", "stop")
    registry.modify(registry.apply(_base()), "ufs0.compute", "STOPPED")  # already: no change

    assert len(changes) == 1
    (event,) = registry.events("ufs0.compute")
    assert (event.message, event.timestamp) == (
        "ufs0.compute: ENABLED -> STOPPED (STOP)",
        "Fri Jan 02 00:00:00 UTC 1970",
    )
    state = {v.name: v.state for v in registry.apply(_base())}["ufs0.compute"]
    assert state == "STOPPED"


def test_a_host_that_is_down_wins_over_the_administrators_state() -> None:
    registry = ServiceRegistry(on_change=lambda: None)
    registry.modify(_base(), "ufs0.euare", "DISABLE")
    down = services([EndpointView(0, "127.0.0.1", "http://127.0.0.1:1", "P0", "STOPPED")], ["P0"])
    assert {v.name: v.state for v in registry.apply(down)}["ufs0.euare"] == "STOPPED"


def test_deregistered_names_can_be_registered_again() -> None:
    registry = ServiceRegistry(on_change=lambda: None)
    registry.deregister(_base(), "P0.cluster")
    assert "P0.cluster" not in {v.name for v in registry.apply(_base())}
    views = registry.apply(_base())
    (made,) = registry.register(
        views, type_name="cluster", name="P0.cluster", host="10.0.0.1", port=None, partition="P0"
    )
    assert made.uri == "http://10.0.0.1:8774/axis2/services/EucalyptusCC"
    with pytest.raises(RegistryError, match="already exists"):
        registry.register(
            registry.apply(_base()),
            type_name="cluster",
            name="P0.cluster",
            host="10.0.0.2",
            port=None,
            partition="P0",
        )
