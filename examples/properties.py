"""Read cloud properties by prefix, change one and reset it to its default."""

from __future__ import annotations

from _cloud import admin_session

from euca_boto.admin import Cloud

with admin_session(__doc__) as session:
    properties = Cloud(session).properties
    for name, value in sorted(properties.with_prefix("dns.").items()):
        print(f"{name} = {value}")
    properties["dns.enabled"] = "false"
    print(f"after setting: dns.enabled = {properties['dns.enabled']}")
    print(f"after reset:   dns.enabled = {properties.reset('dns.enabled')}")
    network = properties["cloud.network.network_configuration"]
    print(f"network mode (a JSON-valued property, parsed): {network.get('Mode')}")
