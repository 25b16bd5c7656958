"""The dispatch table of the Eucalyptus admin services LocalCloud serves: service key ->
action name -> handler. To support another action, write a handler and add it here."""

from __future__ import annotations

from . import configuration, empyrean
from .admin import Handler, describe_properties, describe_services, modify_property_value

ACTIONS: dict[str, dict[str, Handler]] = {
    "bootstrap": {
        "DescribeServices": describe_services,
        "ModifyService": empyrean.modify_service,
        "RegisterService": empyrean.register_service,
        "DeregisterService": empyrean.deregister_service,
        "DescribeAvailableServiceTypes": empyrean.describe_available_service_types,
        "DescribeServiceCertificates": empyrean.describe_service_certificates,
    },
    "properties": {
        "DescribeProperties": describe_properties,
        "ModifyPropertyValue": modify_property_value,
    },
    "configuration": configuration.ACTIONS,
}
