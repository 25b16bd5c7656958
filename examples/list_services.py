"""List the cloud's services grouped by state and partition (DescribeServices)."""

from __future__ import annotations

from collections import defaultdict

from _cloud import admin_session

with admin_session(__doc__) as session:
    euserv = session.client("euserv")
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for status in euserv.describe_services(ListAll=True)["ServiceStatuses"]:
        service = status["ServiceId"]
        groups[(status["LocalState"], service.get("Partition", "-"))].append(
            f"{service['Type']}:{service['Name']}")
    for (state, partition), names in sorted(groups.items()):
        print(f"{state:<9} {partition:<10} {len(names):>3} services: {', '.join(sorted(names))}")
