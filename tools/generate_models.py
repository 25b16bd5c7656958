"""Generate euca-boto's botocore service models from the tables in this file.

Writes, under ``service-models/``:

* ``euserv``, ``euprop`` and ``euconfig``: the Eucalyptus admin services (Empyrean, Properties,
  Configuration), which speak the "msgs" binding: EC2-style query requests with
  ``Version=eucalyptus`` and ``euca:``-namespaced replies without a result wrapper;
* ``euca-ec2``: the Eucalyptus-shaped instance-type actions whose names collide with AWS EC2;
* ``sdk-extras`` files that botocore's loader merges into its own ``iam``, ``sts`` and ``ec2``
  models (Eucalyptus-only actions and members).

The loader merges extras with ``botocore.utils.deep_merge``: nested dicts are merged key by key,
so an extras file adds a member to an existing shape by naming only that member.  The IAM extras
attach ``DelegateAccount`` to the input shape each action has in the *installed* botocore IAM
model, which is read at generation time; re-run this script when botocore's IAM model renames a
shape.  The output is deterministic: the same botocore gives byte-identical files.

Run: ``python tools/generate_models.py`` (``--check`` exits 1 if a file would change).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import botocore.session

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "service-models"

Json = dict[str, Any]


def doc(text: str) -> str:
    """Operator-facing text as botocore documentation HTML; `name` becomes <code>name</code>."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    return "<p>" + re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped) + "</p>"


def pascal(wire_name: str) -> str:
    """The Python key of a Java field: ``_return`` -> ``Return``, ``fullName`` -> ``FullName``."""
    name = wire_name.lstrip("_")
    return name[:1].upper() + name[1:]


class Model:
    """A botocore service model under construction."""

    def __init__(self, metadata: Json, documentation: str) -> None:
        self.data: Json = {
            "version": "2.0",
            "metadata": metadata,
            "documentation": doc(documentation),
            "operations": {},
            "shapes": {},
        }

    @property
    def shapes(self) -> Json:
        return self.data["shapes"]

    def shape(self, name: str, definition: Json) -> str:
        existing = self.shapes.get(name)
        if existing is not None and existing != definition:
            raise ValueError(f"shape {name} defined twice with different content")
        self.shapes[name] = definition
        return name

    def structure(
        self, name: str, members: Json, documentation: str, required: list[str] | None = None
    ) -> str:
        definition: Json = {"type": "structure"}
        if required:
            definition["required"] = required
        definition["members"] = members
        definition["documentation"] = doc(documentation)
        return self.shape(name, definition)

    def operation(
        self, name: str, documentation: str, input_shape: str | None, output_shape: str | None
    ) -> None:
        op: Json = {"name": name, "http": {"method": "POST", "requestUri": "/"}}
        if input_shape:
            op["input"] = {"shape": input_shape}
        if output_shape:
            op["output"] = {"shape": output_shape}
        op["documentation"] = doc(documentation)
        self.data["operations"][name] = op


def member(shape: str, documentation: str, location: str | None = None) -> Json:
    m: Json = {"shape": shape, "documentation": doc(documentation)}
    if location:
        m["locationName"] = location
    return m


def wire(shape: str, field: str, documentation: str) -> tuple[str, Json]:
    """An output member: PascalCase key, exact Java field name on the wire."""
    return pascal(field), member(shape, documentation, field)


def fields(*pairs: tuple[str, Json]) -> Json:
    return dict(pairs)


# --------------------------------------------------------------------------------------------
# The "msgs" binding: shapes every admin service shares
# --------------------------------------------------------------------------------------------


def msgs_metadata(service_id: str, prefix: str, full_name: str) -> Json:
    # No "uid": the AWS CLI turns it into a "See also" link to AWS's documentation site.
    return {
        "apiVersion": "eucalyptus",
        "endpointPrefix": prefix,
        "protocol": "ec2",
        "protocols": ["ec2"],
        "serviceFullName": full_name,
        "serviceId": service_id,
        "signatureVersion": "v4",
        "signingName": prefix,
    }


def add_primitives(model: Model) -> None:
    model.shape("String", {"type": "string"})
    model.shape("Boolean", {"type": "boolean"})
    model.shape("Integer", {"type": "integer"})
    model.shape("Long", {"type": "long"})
    model.shape(
        "StringList",
        {"type": "list", "member": {"shape": "String"}},
    )
    model.structure(
        "StringEntry",
        {"entry": member("String", "The string value.", "entry")},
        "One string of a Eucalyptus string list (each value is wrapped in item/entry).",
    )
    model.shape(
        "StringEntryList",
        {"type": "list", "member": {"shape": "StringEntry", "locationName": "item"}},
    )


def header(*, plural_messages: bool = False) -> Json:
    """The reply fields every msgs-binding response inherits from BaseMessage."""
    members = fields(
        wire("String", "correlationId", "The server's correlation id of this request."),
        wire(
            "Boolean",
            "_return",
            "Whether the server reports success. A false value is raised as an `InBandFailure` "
            "error by euca-boto, carrying the status messages.",
        ),
        wire(
            "String", "statusMessage", "The server's status or failure message, when it sends one."
        ),
    )
    if plural_messages:
        members.update(
            fields(
                wire(
                    "StringEntryList",
                    "statusMessages",
                    "Status messages of a registration change; on failure they give the reason.",
                )
            )
        )
    return members


def add_filters(model: Model) -> None:
    model.structure(
        "Filter",
        {
            "Name": member("String", "The filter name (case-sensitive)."),
            "Values": member(
                "StringList",
                "The values to match; a resource matches if it matches any of them.",
                "Value",
            ),
        },
        "A filter: several values of one filter are ORed, several filters are ANDed. An unknown "
        "filter name matches nothing.",
    )
    model.shape("FilterList", {"type": "list", "member": {"shape": "Filter"}})


# --------------------------------------------------------------------------------------------
# euserv: Empyrean (bootstrap)
# --------------------------------------------------------------------------------------------


def add_service_id(model: Model) -> None:
    model.structure(
        "ServiceId",
        fields(
            wire("String", "uuid", "The service's UUID (normally absent)."),
            wire(
                "String",
                "partition",
                "The partition: the availability zone for zone-scoped types (cluster, storage, "
                "node); some other value for cloud-wide services.",
            ),
            wire("String", "name", "The service name."),
            wire("String", "type", "The component type, for example `cluster` or `compute`."),
            wire(
                "String",
                "fullName",
                "The service's full name, `arn:euca:<parent>:<partition>:<type>:<name>/`.",
            ),
            wire("StringEntryList", "uris", "Every URI the service answers on."),
            wire(
                "String",
                "uri",
                "The first URI of the service; its host is mapped to an address reachable from "
                "the interface the request came in on.",
            ),
            wire("String", "host", "The host the service runs on."),
        ),
        "Identifies one service instance of the cloud's topology.",
    )
    model.shape(
        "ServiceIdList", {"type": "list", "member": {"shape": "ServiceId", "locationName": "item"}}
    )


def build_euserv() -> tuple[Model, Json]:
    model = Model(
        msgs_metadata("euserv", "bootstrap", "Eucalyptus Empyrean (services and topology)"),
        "Eucalyptus Empyrean, the bootstrap service: describes the cloud's services and their "
        "states, changes service states, and registers and deregisters services. Create the "
        "client with `session.client('euserv')`; the server path is `/services/Empyrean` on port "
        "8773, or the host `bootstrap.<dns-domain>`. Every action except DescribeServices and "
        "DescribeServiceCertificates is for the cloud administrator.",
    )
    add_primitives(model)
    add_filters(model)
    add_service_id(model)

    model.structure(
        "ServiceStatusDetail",
        fields(
            wire("String", "severity", "The event's severity."),
            wire("String", "uuid", "The event's UUID."),
            wire("String", "message", "What happened."),
            wire("String", "serviceFullName", "The full name (ARN) of the service concerned."),
            wire("String", "serviceName", "The name of the service concerned."),
            wire("String", "serviceHost", "The host of the service concerned."),
            wire("String", "stackTrace", "The Java stack trace; blank unless ShowEventStacks."),
            wire("String", "timestamp", "When it happened, as the server's Java date text."),
        ),
        "A recent event of a service (only returned with ShowEvents).",
    )
    model.shape(
        "ServiceStatusDetailList",
        {"type": "list", "member": {"shape": "ServiceStatusDetail", "locationName": "item"}},
    )
    model.structure(
        "ServiceAccount",
        fields(
            wire(
                "String",
                "accountName",
                "The system account's name, e.g. `(eucalyptus)loadbalancing`.",
            ),
            wire("String", "accountNumber", "The system account's 12-digit number."),
            wire("String", "accountCanonicalId", "The system account's canonical id."),
        ),
        "A system account tied to a public component.",
    )
    model.shape(
        "ServiceAccountList",
        {"type": "list", "member": {"shape": "ServiceAccount", "locationName": "item"}},
    )
    model.structure(
        "ServiceStatus",
        fields(
            wire("ServiceId", "serviceId", "Which service this status is of."),
            wire(
                "String",
                "localState",
                "The service state: ENABLED, DISABLED (hot standby), NOTREADY, BROKEN (failed), "
                "STOPPED, PRIMORDIAL, INITIALIZED or LOADED; `n/a: <message>` if the lookup "
                "failed.",
            ),
            wire(
                "Integer",
                "localEpoch",
                "The cloud-wide topology epoch; re-read the topology when it changes.",
            ),
            wire("StringEntryList", "details", "Detail lines about the service."),
            wire("ServiceStatusDetailList", "statusDetails", "Recent events (with ShowEvents)."),
            wire("ServiceAccountList", "serviceAccounts", "System accounts of the component."),
        ),
        "The state of one service.",
    )
    model.shape(
        "ServiceStatusList",
        {"type": "list", "member": {"shape": "ServiceStatus", "locationName": "item"}},
    )

    model.structure(
        "DescribeServicesRequest",
        {
            "ServiceNames": member(
                "StringList",
                "Service names or full names (ARNs) to restrict the result to.",
                "ServiceName",
            ),
            "ListAll": member(
                "Boolean",
                "List all services regardless of type and host (needed to see `node` services).",
            ),
            "ListInternal": member("Boolean", "Include the answering host's internal services."),
            "ListUserServices": member(
                "Boolean", "Include the answering host's co-located user-facing services."
            ),
            "ShowEvents": member("Boolean", "Return recent events in StatusDetails."),
            "ShowEventStacks": member(
                "Boolean", "As ShowEvents, and include the events' stack traces."
            ),
            "ByServiceType": member(
                "String",
                "Only services of this component type, e.g. `cluster`, `storage`, `compute`, "
                "`node`, `user-api`.",
            ),
            "ByHost": member("String", "Only services on this host name or IP address."),
            "ByState": member("String", "Only services in this state (case-insensitive)."),
            "ByPartition": member(
                "String",
                "Only services of this partition (the availability zone for zone services).",
            ),
            "Filters": member(
                "FilterList",
                "Filters (Eucalyptus 4.2 and later). Component filters: `internal`, `public`, "
                "`user-service`, `service-type`, `service-group`, `service-group-member`, "
                "`certificate-usage`; service filters: `host`, `state`, `partition`. Boolean "
                "filters take the values `true` and `false`.",
                "Filter",
            ),
        },
        "Which services to describe. Without ListAll, ListInternal or ListUserServices the "
        "server returns its registrable services and Empyrean itself.",
    )
    model.structure(
        "DescribeServicesResponse",
        {
            **header(),
            **fields(wire("ServiceStatusList", "serviceStatuses", "One status per service.")),
        },
        "The services and their states.",
    )
    model.operation(
        "DescribeServices",
        "Describes the cloud's services and their states: the topology. Callers who are not the "
        "cloud administrator see public services only. Use ListAll for the full topology.",
        "DescribeServicesRequest",
        "DescribeServicesResponse",
    )

    model.structure(
        "ModifyServiceRequest",
        {
            "Name": member("String", "The service name or full name (ARN)."),
            "State": member(
                "String",
                "A transition (START, STOP, INITIALIZE, LOAD, DESTROY, ENABLE, DISABLE, CHECK, "
                "RESTART) or a target state (BROKEN, PRIMORDIAL, INITIALIZED, LOADED, STOPPED, "
                "NOTREADY, DISABLED, ENABLED); case-insensitive.",
            ),
        },
        "The service to change and the transition or state to apply.",
        ["Name", "State"],
    )
    model.structure("ModifyServiceResponse", header(), "The server's acknowledgement.")
    model.operation(
        "ModifyService",
        "Moves a service to another state (cloud administrator only), for example ENABLE or "
        "STOP. An invalid State is answered with an error that lists the accepted values.",
        "ModifyServiceRequest",
        "ModifyServiceResponse",
    )

    model.structure(
        "RegisterServiceRequest",
        {
            "Type": member(
                "String",
                "The component type to register, such as `cluster`, `storage`, `objectstorage`, "
                "`walrusbackend`, `user-api`; DescribeAvailableServiceTypes lists them.",
            ),
            "Name": member("String", "A unique name for the new service."),
            "Host": member("String", "The IP address or host name the service runs on."),
            "Port": member(
                "Integer",
                "The port; defaults to the component's own (8773 for most, 8774 for cluster, "
                "8775 for node, 8777 for db).",
            ),
            "Partition": member(
                "String", "The availability zone; required for partitioned types such as cluster."
            ),
        },
        "The service to register.",
        ["Type", "Name", "Host"],
    )
    model.structure(
        "RegisterServiceResponse",
        {
            **header(plural_messages=True),
            **fields(
                wire(
                    "ServiceIdList",
                    "registeredServices",
                    "The services registered; a service group yields one per member service.",
                )
            ),
        },
        "The outcome of the registration.",
    )
    model.operation(
        "RegisterService",
        "Registers a service (cloud administrator only). Registering the `user-api` group on a "
        "host creates its whole set of user-facing services. Failure comes back in-band and is "
        "raised as `InBandFailure`.",
        "RegisterServiceRequest",
        "RegisterServiceResponse",
    )

    model.structure(
        "DeregisterServiceRequest",
        {
            "Name": member("String", "The name of the service to deregister."),
            "Type": member("String", "The component type; if given, Name is looked up within it."),
        },
        "The service to deregister.",
        ["Name"],
    )
    model.structure(
        "DeregisterServiceResponse",
        {
            **header(plural_messages=True),
            **fields(wire("ServiceIdList", "deregisteredServices", "The services deregistered.")),
        },
        "The outcome of the deregistration.",
    )
    model.operation(
        "DeregisterService",
        "Deregisters a service (cloud administrator only). Failure comes back in-band and is "
        "raised as `InBandFailure`.",
        "DeregisterServiceRequest",
        "DeregisterServiceResponse",
    )

    model.structure(
        "AvailableServiceType",
        fields(
            wire(
                "String", "componentName", "The component type name, as used for RegisterService."
            ),
            wire("String", "componentCapitalizedName", "The capitalised component name."),
            wire("String", "description", "What the component does."),
            wire("Boolean", "hasCredentials", "Whether the component has its own credentials."),
            wire("Boolean", "registerable", "Whether services of this type can be registered."),
            wire("Boolean", "requiresName", "Whether registration needs a service name."),
            wire("Boolean", "partitioned", "Whether the type is scoped to a partition (zone)."),
            wire("Boolean", "publicApiService", "Whether it is a public (user-facing) API."),
            wire("StringEntryList", "serviceGroups", "The groups this type belongs to."),
            wire("StringEntryList", "serviceGroupMembers", "The types in this group, for a group."),
        ),
        "A component type the cloud knows.",
    )
    model.shape(
        "AvailableServiceTypeList",
        {"type": "list", "member": {"shape": "AvailableServiceType", "locationName": "item"}},
    )
    model.structure(
        "DescribeAvailableServiceTypesRequest",
        {"Verbose": member("Boolean", "Ask for more detail.")},
        "Options of the listing.",
    )
    model.structure(
        "DescribeAvailableServiceTypesResponse",
        {
            **header(plural_messages=True),
            **fields(wire("AvailableServiceTypeList", "available", "The component types.")),
        },
        "The component types.",
    )
    model.operation(
        "DescribeAvailableServiceTypes",
        "Lists the component types of the cloud and which of them can be registered.",
        "DescribeAvailableServiceTypesRequest",
        "DescribeAvailableServiceTypesResponse",
    )

    model.structure(
        "ServiceCertificate",
        fields(
            wire("String", "serviceType", "The component type the certificate belongs to."),
            wire(
                "String", "certificateUsage", "What the certificate is for, e.g. `image-bundling`."
            ),
            wire("String", "certificateFormat", "`pem` or `der` (base64)."),
            wire("String", "certificate", "The certificate."),
            wire("String", "certificateFingerprint", "The fingerprint, hex separated by colons."),
            wire("String", "certificateFingerprintDigest", "The digest of the fingerprint."),
        ),
        "A certificate of a public service.",
    )
    model.shape(
        "ServiceCertificateList",
        {"type": "list", "member": {"shape": "ServiceCertificate", "locationName": "item"}},
    )
    model.structure(
        "DescribeServiceCertificatesRequest",
        {
            "Filters": member(
                "FilterList",
                "Filters; useful names are `service-type` and `certificate-usage`.",
                "Filter",
            ),
            "Format": member("String", "`pem` (the default) or `der` (base64)."),
            "FingerprintDigest": member(
                "String", "SHA-1, SHA-224, SHA-256 (the default), SHA-384 or SHA-512."
            ),
        },
        "Which certificates to return, and how.",
    )
    model.structure(
        "DescribeServiceCertificatesResponse",
        {
            **header(),
            **fields(wire("ServiceCertificateList", "serviceCertificates", "The certificates.")),
        },
        "The certificates.",
    )
    model.operation(
        "DescribeServiceCertificates",
        "Returns the certificates of the cloud's public services, for example the compute "
        "`image-bundling` certificate used to bundle images.",
        "DescribeServiceCertificatesRequest",
        "DescribeServiceCertificatesResponse",
    )

    def state_waiter(description: str, state: str) -> Json:
        return {
            "description": description,
            "operation": "DescribeServices",
            "delay": 5,
            "maxAttempts": 60,
            "acceptors": [
                {
                    "matcher": "pathAll",
                    "argument": "ServiceStatuses[].LocalState",
                    "expected": state,
                    "state": "success",
                },
                {
                    "matcher": "pathAny",
                    "argument": "ServiceStatuses[].LocalState",
                    "expected": "BROKEN",
                    "state": "failure",
                },
                {
                    "matcher": "path",
                    "argument": "length(ServiceStatuses || `[]`) == `0`",
                    "expected": True,
                    "state": "failure",
                },
            ],
        }

    waiters = {
        "version": 2,
        "waiters": {
            "ServiceEnabled": state_waiter(
                "Wait until every named service is ENABLED; fails if one is BROKEN or none match.",
                "ENABLED",
            ),
            "ServiceStopped": state_waiter(
                "Wait until every named service is STOPPED; fails if one is BROKEN or none match.",
                "STOPPED",
            ),
        },
    }
    return model, waiters


# --------------------------------------------------------------------------------------------
# euprop: Properties
# --------------------------------------------------------------------------------------------


def build_euprop() -> Model:
    model = Model(
        msgs_metadata("euprop", "properties", "Eucalyptus Properties (cloud configuration)"),
        "Eucalyptus cloud properties, as `euctl` reads and sets them. Create the client with "
        "`session.client('euprop')`; the server path is `/services/Properties` on port 8773, or "
        "the host `properties.<dns-domain>`.",
    )
    add_primitives(model)
    model.structure(
        "Property",
        fields(
            wire("String", "name", "The property name, e.g. `dns.enabled`."),
            wire("String", "value", "The current value; hidden values read `********`."),
            wire("String", "description", "What the property controls."),
            wire("String", "defaultValue", "The built-in default."),
            wire("Boolean", "readOnly", "Whether the property can be changed."),
        ),
        "A cloud property.",
    )
    model.shape(
        "PropertyList", {"type": "list", "member": {"shape": "Property", "locationName": "item"}}
    )
    model.structure(
        "DescribePropertiesRequest",
        {
            "Properties": member(
                "StringList",
                "Property names or prefixes: each matches the properties whose name equals it "
                "or starts with it (a plain prefix, so `dns` also matches `dnsfoo`). Empty "
                "returns every property.",
                "Property",
            )
        },
        "Which properties to describe.",
    )
    model.structure(
        "DescribePropertiesResponse",
        {**header(), **fields(wire("PropertyList", "properties", "The matching properties."))},
        "The matching properties.",
    )
    model.operation(
        "DescribeProperties",
        "Describes cloud properties: values, defaults and descriptions.",
        "DescribePropertiesRequest",
        "DescribePropertiesResponse",
    )
    model.structure(
        "ModifyPropertyValueRequest",
        {
            "Name": member(
                "String",
                "The property name. The special name `euca` runs Value as Groovy code on the "
                "server; euca-boto refuses it unless the call also passes "
                "`AllowScriptExecution=True`.",
            ),
            "Value": member("String", "The new value; an empty string sets it empty."),
            "Reset": member("Boolean", "Reset to the default value, ignoring Value."),
        },
        "The property to change and its new value.",
        ["Name"],
    )
    model.structure(
        "ModifyPropertyValueResponse",
        {
            **header(),
            **fields(
                wire("String", "name", "The property name."),
                wire("String", "value", "The value now in force."),
                wire("String", "oldValue", "The previous value, or `********` if hidden."),
            ),
        },
        "The property's new and old value. A read-only property changed without Reset is not "
        "applied: the reply shows the current value.",
    )
    model.operation(
        "ModifyPropertyValue",
        "Sets a cloud property (cloud administrator only), or resets it to its default. Invalid "
        "values are answered with an error carrying the validation message.",
        "ModifyPropertyValueRequest",
        "ModifyPropertyValueResponse",
    )
    return model


# --------------------------------------------------------------------------------------------
# euconfig: Configuration (legacy component registration), generated from a table
# --------------------------------------------------------------------------------------------

# (component name X, the Describe action's name, what X is) for Eucalyptus 4.4.2.
CONFIG_COMPONENTS: list[tuple[str, str, str]] = [
    ("Cluster", "DescribeClusters", "cluster controllers"),
    ("StorageController", "DescribeStorageControllers", "storage controllers"),
    ("NodeController", "DescribeNodeControllers", "node controllers"),
    ("ObjectStorageGateway", "DescribeObjectStorageGateways", "object storage gateways"),
    ("WalrusBackend", "DescribeWalrusBackends", "Walrus back ends"),
    ("Eucalyptus", "DescribeEucalyptus", "cloud controller (eucalyptus) services"),
    ("Compute", "DescribeCompute", "compute services"),
    ("Euare", "DescribeEuare", "Euare (IAM) services"),
    ("Tokens", "DescribeTokens", "Tokens (STS) services"),
    ("CloudWatch", "DescribeCloudWatch", "CloudWatch services"),
    ("AutoScaling", "DescribeAutoScaling", "Auto Scaling services"),
    ("LoadBalancing", "DescribeLoadBalancing", "load balancing services"),
    ("CloudFormation", "DescribeCloudFormation", "CloudFormation services"),
    ("Imaging", "DescribeImaging", "imaging services"),
    ("Dns", "DescribeDns", "DNS services"),
    ("Identity", "DescribeIdentity", "identity (region federation) services"),
    ("SimpleQueue", "DescribeSimpleQueue", "Simple Queue services"),
    ("SimpleWorkflow", "DescribeSimpleWorkflow", "Simple Workflow services"),
    ("Portal", "DescribePortal", "portal services"),
    ("Tag", "DescribeTag", "tag services"),
    ("Ec2Reports", "DescribeEc2Reports", "EC2 reports services"),
    ("Cassandra", "DescribeCassandra", "Cassandra services"),
    ("ClusterService", "DescribeClusterServices", "cluster services"),
]


def build_euconfig() -> Model:
    model = Model(
        msgs_metadata(
            "euconfig", "configuration", "Eucalyptus Configuration (component registration)"
        ),
        "Eucalyptus Configuration, the component registration API of Eucalyptus before 4.2 "
        "(`euca_conf --register-*`). From 4.2 on the euserv client's RegisterService and "
        "DescribeServices supersede it; the actions are still served at 4.4.2. Create the client "
        "with `session.client('euconfig')`; the server path is `/services/Configuration` on port "
        "8773. The Modify<X>Attribute actions are left out: the server only logs them.",
    )
    add_primitives(model)
    model.structure(
        "ComponentInfo",
        fields(
            wire("String", "type", "The component type."),
            wire("String", "partition", "The partition (availability zone for zone components)."),
            wire("String", "name", "The service name."),
            wire("String", "hostName", "The host the service runs on."),
            wire("String", "fullName", "The service's full name (ARN)."),
            wire("String", "state", "The service state, e.g. ENABLED."),
            wire("String", "detail", "Detail about the state."),
        ),
        "A registered component service.",
    )
    model.shape(
        "ComponentInfoList",
        {"type": "list", "member": {"shape": "ComponentInfo", "locationName": "item"}},
    )
    model.structure(
        "DescribeComponentsRequest",
        {"Verbose": member("Boolean", "Ask for more detail.")},
        "Options of the listing.",
    )
    model.structure(
        "DescribeComponentsResponse",
        {**header(), **fields(wire("ComponentInfoList", "registered", "The registered services."))},
        "The registered services.",
    )
    model.structure(
        "RegisterComponentResponse",
        header(),
        "The outcome; failure comes back in-band and is raised as `InBandFailure`.",
    )
    model.structure(
        "DeregisterComponentResponse",
        header(),
        "The outcome; failure comes back in-band and is raised as `InBandFailure`.",
    )
    model.operation(
        "DescribeComponents",
        "Lists every component service registered on the answering host.",
        "DescribeComponentsRequest",
        "DescribeComponentsResponse",
    )
    for name, describe, what in CONFIG_COMPONENTS:
        model.structure(
            f"Register{name}Request",
            {
                "Partition": member("String", "The partition (availability zone) to register in."),
                "Name": member("String", "A unique name for the new service."),
                "Host": member("String", "The IP address or host name the service runs on."),
                "Port": member("Integer", "The port the service listens on."),
            },
            f"The {what} service to register.",
            ["Name", "Host", "Port"],
        )
        model.operation(
            f"Register{name}",
            f"Registers one of the cloud's {what} (legacy; cloud administrator only). Failure "
            "comes back in-band and is raised as `InBandFailure`.",
            f"Register{name}Request",
            "RegisterComponentResponse",
        )
        model.structure(
            f"Deregister{name}Request",
            {
                "Name": member("String", "The name of the service to deregister."),
                "Partition": member("String", "The partition the service is registered in."),
            },
            f"The {what} service to deregister.",
        )
        model.operation(
            f"Deregister{name}",
            f"Deregisters one of the cloud's {what} (legacy; cloud administrator only). Failure "
            "comes back in-band and is raised as `InBandFailure`.",
            f"Deregister{name}Request",
            "DeregisterComponentResponse",
        )
        model.operation(
            describe,
            f"Lists the registered {what} and their states (legacy).",
            "DescribeComponentsRequest",
            "DescribeComponentsResponse",
        )
    return model


# --------------------------------------------------------------------------------------------
# euca-ec2: the Eucalyptus instance-type actions (names collide with AWS EC2)
# --------------------------------------------------------------------------------------------


def build_euca_ec2() -> Model:
    model = Model(
        {
            "apiVersion": "2015-10-01",
            "endpointPrefix": "ec2",
            "protocol": "ec2",
            "protocols": ["ec2"],
            "serviceAbbreviation": "Eucalyptus EC2",
            "serviceFullName": "Eucalyptus Compute (instance-type administration)",
            "serviceId": "euca-ec2",
            "signatureVersion": "v4",
            "signingName": "ec2",
            "xmlNamespace": "http://ec2.amazonaws.com/doc/2015-10-01/",
        },
        "The Eucalyptus variants of EC2 actions whose names AWS EC2 uses for different requests: "
        "instance types as Eucalyptus defines and sizes them. Create the client with "
        "`session.client('euca-ec2')` against the compute endpoint (`/services/compute`). The "
        "other Eucalyptus EC2 additions (MigrateInstances, RunInstances AddressingType) are on "
        "the ordinary `ec2` client.",
    )
    model.shape("String", {"type": "string"})
    model.shape("Boolean", {"type": "boolean"})
    model.shape("Integer", {"type": "integer"})
    model.shape("PositiveInteger", {"type": "integer", "min": 1})
    model.shape("InstanceTypeNameList", {"type": "list", "member": {"shape": "String"}})
    model.structure(
        "InstanceTypeZoneAvailability",
        fields(
            wire("String", "name", "The instance type."),
            wire("String", "zoneName", "The availability zone."),
            wire("Integer", "max", "How many instances of this type the zone can hold in all."),
            wire("Integer", "available", "How many more instances of this type fit now."),
        ),
        "Capacity of one zone for one instance type.",
    )
    model.shape(
        "InstanceTypeZoneAvailabilityList",
        {
            "type": "list",
            "member": {"shape": "InstanceTypeZoneAvailability", "locationName": "item"},
        },
    )
    model.structure(
        "InstanceTypeEphemeralDisk",
        fields(
            wire("String", "virtualDeviceName", "The virtual device, e.g. `ephemeral0`."),
            wire("String", "deviceName", "The device name, e.g. `/dev/sdb`."),
            wire("Integer", "size", "The size in GiB."),
            wire("String", "format", "The file system format."),
        ),
        "An ephemeral disk that comes with the instance type.",
    )
    model.shape(
        "InstanceTypeEphemeralDiskList",
        {"type": "list", "member": {"shape": "InstanceTypeEphemeralDisk", "locationName": "item"}},
    )
    model.structure(
        "InstanceTypeDetails",
        fields(
            wire("String", "name", "The instance type name, e.g. `m1.small`."),
            wire("Integer", "cpu", "Virtual CPUs."),
            wire("Integer", "disk", "Root disk size in GiB."),
            wire("Integer", "memory", "Memory in MiB."),
            wire("Integer", "networkInterfaces", "Maximum network interfaces."),
            wire(
                "InstanceTypeZoneAvailabilityList",
                "availability",
                "Per-zone capacity (with Availability; cloud administrator only).",
            ),
            wire(
                "InstanceTypeEphemeralDiskList", "ephemeralDisk", "Ephemeral disks (with Verbose)."
            ),
        ),
        "An instance type as Eucalyptus defines it.",
    )
    model.shape(
        "InstanceTypeDetailsList",
        {"type": "list", "member": {"shape": "InstanceTypeDetails", "locationName": "item"}},
    )
    model.structure(
        "DescribeInstanceTypesRequest",
        {
            "InstanceTypes": member(
                "InstanceTypeNameList",
                "Instance type names to describe; all if empty.",
                "InstanceType",
            ),
            "Availability": member(
                "Boolean",
                "Include per-zone capacity (cloud administrator only; others get AuthFailure).",
            ),
            "Verbose": member("Boolean", "Include the ephemeral disks."),
        },
        "Which instance types to describe.",
    )
    model.structure(
        "DescribeInstanceTypesResult",
        fields(wire("InstanceTypeDetailsList", "instanceTypeDetails", "The instance types.")),
        "The instance types visible to the caller.",
    )
    model.operation(
        "DescribeInstanceTypes",
        "Describes the cloud's instance types (CPU, memory, disk) and, for the cloud "
        "administrator, how many more instances of each fit in each zone.",
        "DescribeInstanceTypesRequest",
        "DescribeInstanceTypesResult",
    )
    model.structure(
        "ModifyInstanceTypeAttributeRequest",
        {
            "Name": member("String", "The instance type to change, e.g. `m1.small`."),
            "Cpu": member("PositiveInteger", "Virtual CPUs (at least 1)."),
            "Disk": member("PositiveInteger", "Root disk size in GiB (at least 1)."),
            "Memory": member("PositiveInteger", "Memory in MiB (at least 1)."),
            "NetworkInterfaces": member("PositiveInteger", "Maximum network interfaces (1 to 8)."),
            "Reset": member("Boolean", "Restore the built-in defaults of this type."),
            "Force": member("Boolean", "Accepted by the server but not used."),
        },
        "The instance type and the attributes to change.",
        ["Name"],
    )
    model.structure(
        "ModifyInstanceTypeAttributeResult",
        fields(
            wire("InstanceTypeDetails", "instanceType", "The instance type after the change."),
            wire("InstanceTypeDetails", "previousInstanceType", "The instance type before it."),
        ),
        "The instance type before and after the change.",
    )
    model.operation(
        "ModifyInstanceTypeAttribute",
        "Changes the size of an instance type, or resets it (cloud administrator only; others "
        'get "Authorization failed.").',
        "ModifyInstanceTypeAttributeRequest",
        "ModifyInstanceTypeAttributeResult",
    )
    return model


# --------------------------------------------------------------------------------------------
# Extras merged into botocore's own models
# --------------------------------------------------------------------------------------------

# Standard IAM actions on which Eucalyptus accepts DelegateAccount (euare-binding.xml, 4.4.2).
IAM_DELEGATE_ACTIONS = """
AddClientIDToOpenIDConnectProvider AddRoleToInstanceProfile AddUserToGroup
AttachGroupPolicy AttachRolePolicy AttachUserPolicy
CreateAccessKey CreateAccountAlias CreateGroup CreateInstanceProfile CreateLoginProfile
CreateOpenIDConnectProvider CreatePolicy CreatePolicyVersion CreateRole CreateSigningCertificate
CreateUser
DeleteAccessKey DeleteAccountAlias DeleteGroup DeleteGroupPolicy DeleteInstanceProfile
DeleteLoginProfile DeleteOpenIDConnectProvider DeletePolicy DeletePolicyVersion DeleteRole
DeleteRolePolicy DeleteSigningCertificate DeleteUser DeleteUserPolicy
DetachGroupPolicy DetachRolePolicy DetachUserPolicy
GetAccountSummary GetGroup GetGroupPolicy GetInstanceProfile GetLoginProfile
GetOpenIDConnectProvider GetPolicy GetPolicyVersion GetRole GetRolePolicy GetUser
GetUserInfo GetUserPolicy
ListAccessKeys ListAccountAliases ListAttachedGroupPolicies ListAttachedRolePolicies
ListAttachedUserPolicies ListEntitiesForPolicy ListGroupPolicies ListGroups
ListGroupsForUser ListInstanceProfiles ListInstanceProfilesForRole
ListOpenIDConnectProviders ListPolicies ListPolicyVersions ListRolePolicies ListRoles
ListSigningCertificates ListUserPolicies ListUsers
PutGroupPolicy PutRolePolicy PutUserPolicy
RemoveClientIDFromOpenIDConnectProvider RemoveRoleFromInstanceProfile RemoveUserFromGroup
SetDefaultPolicyVersion UpdateAccessKey UpdateAssumeRolePolicy UpdateGroup
UpdateLoginProfile UpdateOpenIDConnectProviderThumbprint UpdateSigningCertificate
UpdateUser UpdateUserInfo UploadSigningCertificate
DeleteServerCertificate GetServerCertificate ListServerCertificates UpdateServerCertificate
UploadServerCertificate
""".split()

# Standard IAM actions that take IsRecursive: delete the user's or group's keys, certificates,
# policies and memberships with it (euare-userdel -R, euare-groupdel -R).
IAM_RECURSIVE_ACTIONS = ("DeleteUser", "DeleteGroup")

DELEGATE_DOC = (
    "Eucalyptus: act as the administrator of this account (its name or 12-digit id). Cloud "
    "administrator only; others get NotAuthorized."
)


def load_botocore_model(service: str) -> Json:
    loader = botocore.session.Session().get_component("data_loader")
    # Only botocore's own data: extras found elsewhere on the path must not feed back in.
    loader.search_paths[:] = [loader.BUILTIN_DATA_PATH]
    return loader.load_service_model(service, "service-2")


def query_operation(
    name: str, documentation: str, input_shape: str | None, output: str | None
) -> Json:
    op: Json = {"name": name, "http": {"method": "POST", "requestUri": "/"}}
    if input_shape:
        op["input"] = {"shape": input_shape}
    if output:
        op["output"] = {"shape": output, "resultWrapper": f"{name}Result"}
    op["documentation"] = doc(documentation)
    return op


def build_iam_extras() -> tuple[Json, Json]:
    aws = load_botocore_model("iam")
    model = Model({}, "")
    s = model.structure
    model.shape("eucaStringType", {"type": "string"})
    model.shape("eucaBooleanType", {"type": "boolean"})
    model.shape("eucaMaxItemsType", {"type": "integer", "min": 1})
    model.shape("eucaPolicyNameListType", {"type": "list", "member": {"shape": "eucaStringType"}})
    delegate = member("eucaStringType", DELEGATE_DOC)
    ops: Json = {}

    def op(name: str, documentation: str, input_shape: str | None, output: str | None) -> None:
        ops[name] = query_operation(name, documentation, input_shape, output)

    s(
        "eucaAccountType",
        {
            "AccountName": member("eucaStringType", "The account name (alias)."),
            "AccountId": member("eucaStringType", "The 12-digit account id."),
        },
        "A Eucalyptus account.",
    )
    model.shape("eucaAccountListType", {"type": "list", "member": {"shape": "eucaAccountType"}})
    s(
        "CreateAccountRequest",
        {
            "AccountName": member(
                "eucaStringType", "The new account's name (optional from Eucalyptus 4.2 on)."
            )
        },
        "The account to create.",
    )
    s(
        "CreateAccountResponse",
        {"Account": member("eucaAccountType", "The new account.")},
        "The new account.",
    )
    op(
        "CreateAccount",
        "Eucalyptus: creates an account (cloud administrator only). Create its admin's key with "
        "CreateAccessKey UserName=admin DelegateAccount=<the new account id>.",
        "CreateAccountRequest",
        "CreateAccountResponse",
    )
    s(
        "DeleteAccountRequest",
        {
            "AccountName": member("eucaStringType", "The account's name or 12-digit id."),
            "Recursive": member(
                "eucaBooleanType", "Also delete everything in the account (users, groups, ...)."
            ),
        },
        "The account to delete.",
        ["AccountName"],
    )
    op(
        "DeleteAccount",
        "Eucalyptus: deletes an account (cloud administrator only).",
        "DeleteAccountRequest",
        None,
    )
    s("ListAccountsRequest", {}, "No parameters.")
    s(
        "ListAccountsResponse",
        {"Accounts": member("eucaAccountListType", "Every account of the cloud.")},
        "The accounts.",
    )
    op(
        "ListAccounts",
        "Eucalyptus: lists every account of the cloud (cloud administrator only; no paging).",
        "ListAccountsRequest",
        "ListAccountsResponse",
    )
    account_policy = {
        "AccountName": member("eucaStringType", "The account's name or 12-digit id."),
        "PolicyName": member("eucaStringType", "The policy name."),
    }
    s(
        "PutAccountPolicyRequest",
        {**account_policy, "PolicyDocument": member("eucaStringType", "The policy, as JSON.")},
        "The account policy to set.",
        ["AccountName", "PolicyName", "PolicyDocument"],
    )
    op(
        "PutAccountPolicy",
        "Eucalyptus: sets an account-level policy, which limits everything in the account "
        "(cloud administrator only).",
        "PutAccountPolicyRequest",
        None,
    )
    s(
        "GetAccountPolicyRequest",
        account_policy,
        "The account policy to read.",
        ["AccountName", "PolicyName"],
    )
    s(
        "GetAccountPolicyResponse",
        {
            **account_policy,
            "PolicyDocument": member(
                "eucaStringType", "The policy, URL-encoded JSON (decode with urllib.parse.unquote)."
            ),
        },
        "The account policy.",
    )
    op(
        "GetAccountPolicy",
        "Eucalyptus: reads an account-level policy (cloud administrator only).",
        "GetAccountPolicyRequest",
        "GetAccountPolicyResponse",
    )
    s(
        "ListAccountPoliciesRequest",
        {
            "AccountName": member("eucaStringType", "The account's name or 12-digit id."),
            "Marker": member(
                "eucaStringType", "Where to continue: the Marker of the previous page."
            ),
            "MaxItems": member("eucaMaxItemsType", "The most names to return in one page."),
        },
        "The account whose policies to list.",
        ["AccountName"],
    )
    s(
        "ListAccountPoliciesResponse",
        {
            "PolicyNames": member("eucaPolicyNameListType", "The policy names."),
            "IsTruncated": member("eucaBooleanType", "Whether there are more names to fetch."),
            "Marker": member("eucaStringType", "Pass as Marker to fetch the next page."),
        },
        "A page of the account's policy names.",
    )
    op(
        "ListAccountPolicies",
        "Eucalyptus: lists the names of an account's policies; pages with Marker and MaxItems.",
        "ListAccountPoliciesRequest",
        "ListAccountPoliciesResponse",
    )
    s(
        "DeleteAccountPolicyRequest",
        account_policy,
        "The account policy to delete.",
        ["AccountName", "PolicyName"],
    )
    op(
        "DeleteAccountPolicy",
        "Eucalyptus: deletes an account-level policy (cloud administrator only).",
        "DeleteAccountPolicyRequest",
        None,
    )
    s("GetLdapSyncStatusRequest", {}, "No parameters.")
    s(
        "GetLdapSyncStatusResponse",
        {
            "SyncEnabled": member("eucaBooleanType", "Whether LDAP synchronisation is on."),
            "InSync": member("eucaBooleanType", "Whether a synchronisation is running now."),
        },
        "The LDAP synchronisation status.",
    )
    op(
        "GetLdapSyncStatus",
        "Eucalyptus: reports the status of LDAP/AD synchronisation (cloud administrator only).",
        "GetLdapSyncStatusRequest",
        "GetLdapSyncStatusResponse",
    )
    s(
        "eucaUserInfoType",
        {
            "Key": member("eucaStringType", "The info key."),
            "Value": member("eucaStringType", "The info value."),
        },
        "A key/value pair of user information.",
    )
    model.shape("eucaUserInfoListType", {"type": "list", "member": {"shape": "eucaUserInfoType"}})
    s(
        "GetUserInfoRequest",
        {
            "DelegateAccount": delegate,
            "UserName": member("eucaStringType", "The user; the caller if omitted."),
            "InfoKey": member("eucaStringType", "Only this key; all keys if omitted."),
        },
        "Whose information to read.",
    )
    s(
        "GetUserInfoResponse",
        {"Infos": member("eucaUserInfoListType", "The key/value pairs.")},
        "The information.",
    )
    op(
        "GetUserInfo",
        "Eucalyptus: reads a user's free-form information (e.g. email).",
        "GetUserInfoRequest",
        "GetUserInfoResponse",
    )
    s(
        "UpdateUserInfoRequest",
        {
            "DelegateAccount": delegate,
            "UserName": member("eucaStringType", "The user; the caller if omitted."),
            "InfoKey": member("eucaStringType", "The key to set or delete."),
            "InfoValue": member("eucaStringType", "The new value; omit it to delete the key."),
        },
        "The information to set.",
        ["InfoKey"],
    )
    op(
        "UpdateUserInfo",
        "Eucalyptus: sets or deletes one key of a user's information.",
        "UpdateUserInfoRequest",
        None,
    )
    s(
        "eucaSigningCertificateType",
        {
            "UserName": member("eucaStringType", "The certificate's user."),
            "CertificateId": member("eucaStringType", "The certificate id."),
            "CertificateBody": member("eucaStringType", "The certificate, PEM."),
            "Status": member("eucaStringType", "Active or Inactive."),
            "PrivateKey": member(
                "eucaStringType", "The generated private key, PEM; returned only this once."
            ),
            "UploadDate": member("eucaStringType", "When the certificate was created."),
        },
        "A signing certificate with its server-generated private key.",
    )
    s(
        "CreateSigningCertificateRequest",
        {
            "DelegateAccount": delegate,
            "UserName": member("eucaStringType", "The user; the caller if omitted."),
        },
        "Whose certificate to create.",
    )
    s(
        "CreateSigningCertificateResponse",
        {"Certificate": member("eucaSigningCertificateType", "The new certificate and key.")},
        "The new certificate.",
    )
    op(
        "CreateSigningCertificate",
        "Eucalyptus: creates a signing certificate and its key pair on the server (used for "
        "image bundling); the private key is returned only in this reply.",
        "CreateSigningCertificateRequest",
        "CreateSigningCertificateResponse",
    )

    extra_shapes = model.shapes
    for name in IAM_DELEGATE_ACTIONS:
        if name in ops:
            continue
        aws_op = aws["operations"][name]
        if "input" in aws_op:
            input_shape = aws_op["input"]["shape"]
            extra_shapes[input_shape] = {"members": {"DelegateAccount": delegate}}
        else:
            input_shape = f"{name}Request"
            if input_shape in aws["shapes"]:
                raise SystemExit(f"iam: {input_shape} exists but {name} does not use it")
            ops[name] = {"input": {"shape": input_shape}}
            s(input_shape, {"DelegateAccount": delegate}, "Eucalyptus caller context.")
    for name in IAM_RECURSIVE_ACTIONS:
        extra_shapes[aws["operations"][name]["input"]["shape"]]["members"]["IsRecursive"] = (
            member("eucaBooleanType", "Eucalyptus: also delete what belongs to it (access keys, "
                   "certificates, policies, group memberships); without it the call fails "
                   "while any remain.")
        )
    get_user = aws["operations"]["GetUser"]["input"]["shape"]
    update_user = aws["operations"]["UpdateUser"]["input"]["shape"]
    extra_shapes[get_user]["members"]["ShowExtra"] = member(
        "eucaBooleanType", "Eucalyptus: also return the user's Enabled and PasswordExpiration."
    )
    extra_shapes[update_user]["members"].update(
        {
            "Enabled": member("eucaBooleanType", "Eucalyptus: enable or disable the user."),
            "PasswordExpiration": member(
                "eucaStringType", "Eucalyptus: when the user's password expires (ISO-8601)."
            ),
        }
    )
    extra_shapes["User"] = {
        "members": {
            "Enabled": member(
                "eucaBooleanType", "Eucalyptus (GetUser ShowExtra): whether the user is enabled."
            ),
            "PasswordExpiration": member(
                "eucaStringType",
                "Eucalyptus (GetUser ShowExtra): when the user's password expires (ISO-8601).",
            ),
        }
    }
    for name, definition in extra_shapes.items():
        if "type" in definition and name in aws["shapes"]:
            raise SystemExit(f"iam: new shape {name} collides with botocore's model")
    for name in ops:
        if "name" in ops[name] and name in aws["operations"]:
            raise SystemExit(f"iam: new operation {name} collides with botocore's model")

    service = {"version": 1.0, "merge": {"operations": ops, "shapes": extra_shapes}}
    paginators = {
        "version": 1.0,
        "merge": {
            "pagination": {
                "ListAccountPolicies": {
                    "input_token": "Marker",
                    "output_token": "Marker",
                    "more_results": "IsTruncated",
                    "limit_key": "MaxItems",
                    "result_key": "PolicyNames",
                }
            }
        },
    }
    return service, paginators


def build_sts_extras() -> Json:
    aws = load_botocore_model("sts")
    model = Model({}, "")
    model.shape("eucaStringType", {"type": "string"})
    model.shape("eucaDurationSecondsType", {"type": "integer"})
    duration = member("eucaDurationSecondsType", "How long the credentials last, in seconds.")
    credentials = member("Credentials", "The temporary credentials.")
    model.structure("GetAccessTokenRequest", {"DurationSeconds": duration}, "The token's lifetime.")
    model.structure("GetAccessTokenResponse", {"Credentials": credentials}, "The credentials.")
    model.structure(
        "GetImpersonationTokenRequest",
        {
            "UserId": member("eucaStringType", "The user to impersonate, by id."),
            "AccountAlias": member(
                "eucaStringType", "The account of the user to impersonate (with UserName)."
            ),
            "UserName": member("eucaStringType", "The user to impersonate (with AccountAlias)."),
            "DurationSeconds": duration,
        },
        "Whom to impersonate: UserId, or AccountAlias and UserName.",
    )
    model.structure(
        "GetImpersonationTokenResponse", {"Credentials": credentials}, "The credentials."
    )
    ops = {
        "GetAccessToken": query_operation(
            "GetAccessToken",
            "Eucalyptus: issues temporary credentials of the Access type, which IAM, EC2 and the "
            "Eucalyptus admin services accept (session tokens are not accepted by IAM). Signed "
            "with SigV4 it issues them for the signing user; Eucalyptus also accepts this action "
            "with HTTP Basic password authentication instead of a signature.",
            "GetAccessTokenRequest",
            "GetAccessTokenResponse",
        ),
        "GetImpersonationToken": query_operation(
            "GetImpersonationToken",
            "Eucalyptus: issues temporary credentials that act as another user, usable on any "
            "service (cloud administrator with sts:GetImpersonationToken only; refused for "
            "password-authenticated callers).",
            "GetImpersonationTokenRequest",
            "GetImpersonationTokenResponse",
        ),
    }
    for name in list(ops) + [n for n, d in model.shapes.items() if "type" in d]:
        if name in aws["operations"] or (name in aws["shapes"] and name != "Credentials"):
            raise SystemExit(f"sts: {name} collides with botocore's model")
    return {"version": 1.0, "merge": {"operations": ops, "shapes": model.shapes}}


def build_ec2_extras() -> Json:
    aws = load_botocore_model("ec2")
    model = Model({}, "")
    model.shape("EucaMigrationHostList", {"type": "list", "member": {"shape": "String"}})
    model.structure(
        "MigrateInstancesRequest",
        {
            "SourceHost": member("String", "Migrate every instance off this node controller."),
            "InstanceId": member("String", "Migrate this one instance."),
            "DestinationHosts": member(
                "EucaMigrationHostList",
                "Node controllers to consider (see AllowHosts).",
                "DestinationHost",
            ),
            "AllowHosts": member(
                "Boolean",
                "True: migrate only to DestinationHosts; false: to any host except them.",
            ),
        },
        "What to migrate (SourceHost or InstanceId) and where to.",
    )
    model.structure("MigrateInstancesResult", {}, "Only the request id.")
    ops = {
        "MigrateInstances": {
            "name": "MigrateInstances",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "MigrateInstancesRequest"},
            "output": {"shape": "MigrateInstancesResult"},
            "documentation": doc(
                "Eucalyptus: live-migrates instances between node controllers (cloud "
                "administrator only). Give SourceHost or InstanceId."
            ),
        }
    }
    for name in list(ops) + list(model.shapes):
        if name in aws["operations"] or name in aws["shapes"]:
            raise SystemExit(f"ec2: {name} collides with botocore's model")
    shapes = dict(model.shapes)
    shapes["RunInstancesRequest"] = {
        "members": {
            "AddressingType": member(
                "String",
                "Eucalyptus (non-VPC): `public` or `private` addressing for the instances.",
            )
        }
    }
    shapes["ImportInstanceLaunchSpecification"] = {
        "members": {"KeyName": member("String", "Eucalyptus: the key pair for the instance.")}
    }
    return {"version": 1.0, "merge": {"operations": ops, "shapes": shapes}}


def render() -> dict[Path, str]:
    """Every generated file, by path relative to the models directory."""
    euserv, euserv_waiters = build_euserv()
    iam_service, iam_pages = build_iam_extras()
    documents: dict[str, Json] = {
        "euserv/eucalyptus/service-2.json": euserv.data,
        "euserv/eucalyptus/waiters-2.json": euserv_waiters,
        "euprop/eucalyptus/service-2.json": build_euprop().data,
        "euconfig/eucalyptus/service-2.json": build_euconfig().data,
        "euca-ec2/2015-10-01/service-2.json": build_euca_ec2().data,
        "iam/2010-05-08/service-2.sdk-extras.json": iam_service,
        "iam/2010-05-08/paginators-1.sdk-extras.json": iam_pages,
        "sts/2011-06-15/service-2.sdk-extras.json": build_sts_extras(),
        "ec2/2016-11-15/service-2.sdk-extras.json": build_ec2_extras(),
    }
    return {
        Path(path): json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        for path, data in documents.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file would change")
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="models directory")
    args = parser.parse_args(argv)
    stale = []
    for relative, text in render().items():
        target = args.out / relative
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(str(relative))
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for name in stale:
        print(("stale: " if args.check else "wrote: ") + name)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
