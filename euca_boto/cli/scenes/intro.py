"""The demo's opening scenes: the local cloud, a boto3 session with the plugin, and the
Eucalyptus admin APIs as ordinary clients."""

from __future__ import annotations

from collections import Counter

from euca_boto.cli.scenes.tour import PROFILE, Tour


def scene_cloud(tour: Tour) -> None:
    tour.scene("A local Eucalyptus-compatible cloud")
    cloud = tour.cloud
    tour.say(f"LocalCloud is serving {len(cloud.endpoints)} endpoints on 127.0.0.1:")
    for endpoint in cloud.endpoints:
        tour.say(f"  endpoint {endpoint.index}: {endpoint.url}  (partition {endpoint.partition})")
    tour.say("Its profile, as you would paste it into ~/.aws/config:")
    for line in cloud.profile_text(PROFILE).splitlines()[:3]:
        tour.say(f"  {line}")
    tour.say("  ...")


def scene_session(tour: Tour) -> None:
    tour.scene("An ordinary boto3 session, with the plugin installed")
    tour.say(">>> session = euca_boto.session(profile_name='localcloud')")
    services = sorted({"euserv", "euprop", "euconfig"} & set(tour.session.get_available_services()))
    tour.say(f"The session now knows the Eucalyptus admin services: {', '.join(services)}")
    sts = tour.client("sts")
    identity = sts.get_caller_identity()
    tour.say(f">>> session.client('sts').get_caller_identity()['Arn']  ->  {identity['Arn']}")


def scene_admin(tour: Tour) -> None:
    tour.scene("Eucalyptus admin APIs as boto3 clients")
    euserv = tour.client("euserv")
    tour.say(">>> euserv.describe_services(ListAll=True)")
    statuses = euserv.describe_services(ListAll=True)["ServiceStatuses"]
    by_state = Counter(
        (s["ServiceId"]["Type"], s["LocalState"]) for s in statuses
    )
    for (kind, state), count in sorted(by_state.items()):
        tour.say(f"  {count} x {kind:<16} {state}")
    euprop = tour.client("euprop")
    tour.say(">>> euprop.describe_properties(Properties=['dns.'])")
    for prop in euprop.describe_properties(Properties=["dns."])["Properties"]:
        tour.say(f"  {prop['Name']} = {prop['Value']}")
    tour.say(">>> euprop.modify_property_value(Name='dns.enabled', Value='false')")
    changed = euprop.modify_property_value(Name="dns.enabled", Value="false")
    tour.say(f"  {changed['Name']}: {changed['OldValue']} -> {changed['Value']}")
