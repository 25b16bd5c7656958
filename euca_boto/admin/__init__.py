"""What Eucalyptus cloud admins do most, over the plain admin clients.

:class:`Cloud` (:mod:`.cloud`) gathers the tasks: service health, waiting for a service state,
creating an account with its admin's key, and the cloud's properties (:mod:`.properties`) as a
typed mapping and as code (plan, then apply).
"""

from euca_boto.admin.cloud import Cloud, HealthRow, ServiceWaitTimeout, format_health
from euca_boto.admin.properties import (
    JSON_PROPERTIES,
    ApplyReport,
    Plan,
    PlanEntry,
    PlanError,
    Properties,
    Property,
    PropertyValueError,
    decode,
    encode,
    make_plan,
)

__all__ = [
    "JSON_PROPERTIES",
    "ApplyReport",
    "Cloud",
    "HealthRow",
    "Plan",
    "PlanEntry",
    "PlanError",
    "Properties",
    "Property",
    "PropertyValueError",
    "ServiceWaitTimeout",
    "decode",
    "encode",
    "format_health",
    "make_plan",
]
