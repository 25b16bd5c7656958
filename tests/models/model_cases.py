"""One wire case per modelled operation: parameters, the exact request body, a reply, the result.

Replies follow the reference's shapes: msgs-binding replies are written with the ``euca:`` prefix
and wrapped by :func:`msgs_reply` in a given namespace; EC2-binding replies use the EC2 namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MSGS_NAMESPACES = ["http://msgs.eucalyptus.com/4.4.2", "http://msgs.eucalyptus.com"]


@dataclass(frozen=True)
class Case:
    service: str
    operation: str
    params: dict[str, Any]
    body: str
    reply: str
    parsed: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.service}.{self.operation}"


def msgs_reply(root: str, inner: str, namespace: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><euca:{root} xmlns:euca="{namespace}">'
        f"{inner}</euca:{root}>"
    )


HEADER = "<euca:correlationId>c0ffee</euca:correlationId><euca:_return>true</euca:_return>"
PARSED_HEADER = {"CorrelationId": "c0ffee", "Return": True}

CC_URI = "http://10.0.0.2:8774/axis2/services/EucalyptusCC"
CC_ARN = "arn:euca:eucalyptus:zone1:cluster:zone1-cc/"
SERVICE_ID_XML = (
    "<euca:partition>zone1</euca:partition><euca:name>zone1-cc</euca:name>"
    "<euca:type>cluster</euca:type>"
    f"<euca:fullName>{CC_ARN}</euca:fullName>"
    f"<euca:uris><euca:item><euca:entry>{CC_URI}</euca:entry></euca:item>"
    "<euca:item><euca:entry>http://10.1.0.2:8774/axis2/services/EucalyptusCC</euca:entry>"
    "</euca:item></euca:uris>"
    f"<euca:uri>{CC_URI}</euca:uri><euca:host>10.0.0.2</euca:host>"
)
SERVICE_ID = {
    "Partition": "zone1",
    "Name": "zone1-cc",
    "Type": "cluster",
    "FullName": CC_ARN,
    "Uris": [CC_URI, "http://10.1.0.2:8774/axis2/services/EucalyptusCC"],
    "Uri": CC_URI,
    "Host": "10.0.0.2",
}

EUSERV_CASES = [
    Case(
        "euserv",
        "DescribeServices",
        {
            "ServiceNames": ["zone1-cc", CC_ARN],
            "ListAll": True,
            "ShowEvents": True,
            "ByServiceType": "cluster",
            "ByPartition": "zone1",
            "Filters": [
                {"Name": "state", "Values": ["ENABLED", "DISABLED"]},
                {"Name": "host", "Values": ["10.0.0.2"]},
            ],
        },
        "Action=DescribeServices&Version=eucalyptus&ServiceName.1=zone1-cc"
        "&ServiceName.2=arn%3Aeuca%3Aeucalyptus%3Azone1%3Acluster%3Azone1-cc%2F"
        "&ListAll=true&ShowEvents=true&ByServiceType=cluster&ByPartition=zone1"
        "&Filter.1.Name=state&Filter.1.Value.1=ENABLED&Filter.1.Value.2=DISABLED"
        "&Filter.2.Name=host&Filter.2.Value.1=10.0.0.2",
        HEADER + "<euca:serviceStatuses><euca:item>"
        f"<euca:serviceId>{SERVICE_ID_XML}</euca:serviceId>"
        "<euca:localState>ENABLED</euca:localState><euca:localEpoch>42</euca:localEpoch>"
        "<euca:details><euca:item><euca:entry>running</euca:entry></euca:item></euca:details>"
        "<euca:statusDetails><euca:item><euca:severity>INFO</euca:severity>"
        "<euca:uuid>e1</euca:uuid><euca:message>enabled</euca:message>"
        f"<euca:serviceFullName>{CC_ARN}</euca:serviceFullName>"
        "<euca:serviceName>zone1-cc</euca:serviceName><euca:serviceHost>10.0.0.2</euca:serviceHost>"
        "<euca:stackTrace></euca:stackTrace>"
        "<euca:timestamp>Thu Nov 26 09:00:00 UTC 2026</euca:timestamp>"
        "</euca:item></euca:statusDetails>"
        "<euca:serviceAccounts><euca:item>"
        "<euca:accountName>(eucalyptus)aws-exec-read</euca:accountName>"
        "<euca:accountNumber>000000000001</euca:accountNumber>"
        "<euca:accountCanonicalId>abc123</euca:accountCanonicalId>"
        "</euca:item></euca:serviceAccounts>"
        "</euca:item></euca:serviceStatuses>",
        {
            **PARSED_HEADER,
            "ServiceStatuses": [
                {
                    "ServiceId": SERVICE_ID,
                    "LocalState": "ENABLED",
                    "LocalEpoch": 42,
                    "Details": ["running"],
                    "StatusDetails": [
                        {
                            "Severity": "INFO",
                            "Uuid": "e1",
                            "Message": "enabled",
                            "ServiceFullName": CC_ARN,
                            "ServiceName": "zone1-cc",
                            "ServiceHost": "10.0.0.2",
                            "StackTrace": "",
                            "Timestamp": "Thu Nov 26 09:00:00 UTC 2026",
                        }
                    ],
                    "ServiceAccounts": [
                        {
                            "AccountName": "(eucalyptus)aws-exec-read",
                            "AccountNumber": "000000000001",
                            "AccountCanonicalId": "abc123",
                        }
                    ],
                }
            ],
        },
    ),
    Case(
        "euserv",
        "ModifyService",
        {"Name": "zone1-cc", "State": "ENABLE"},
        "Action=ModifyService&Version=eucalyptus&Name=zone1-cc&State=ENABLE",
        HEADER,
        PARSED_HEADER,
    ),
    Case(
        "euserv",
        "RegisterService",
        {
            "Type": "cluster",
            "Name": "zone1-cc",
            "Host": "10.0.0.2",
            "Port": 8774,
            "Partition": "zone1",
        },
        "Action=RegisterService&Version=eucalyptus&Type=cluster&Name=zone1-cc&Host=10.0.0.2"
        "&Port=8774&Partition=zone1",
        HEADER + "<euca:statusMessages><euca:item><euca:entry>registered zone1-cc</euca:entry>"
        "</euca:item></euca:statusMessages>"
        f"<euca:registeredServices><euca:item>{SERVICE_ID_XML}</euca:item></euca:registeredServices>",
        {
            **PARSED_HEADER,
            "StatusMessages": ["registered zone1-cc"],
            "RegisteredServices": [SERVICE_ID],
        },
    ),
    Case(
        "euserv",
        "DeregisterService",
        {"Name": "zone1-cc", "Type": "cluster"},
        "Action=DeregisterService&Version=eucalyptus&Name=zone1-cc&Type=cluster",
        HEADER + "<euca:statusMessages><euca:item><euca:entry>deregistered</euca:entry></euca:item>"
        "<euca:item><euca:entry>zone1-cc</euca:entry></euca:item></euca:statusMessages>"
        f"<euca:deregisteredServices><euca:item>{SERVICE_ID_XML}</euca:item>"
        "</euca:deregisteredServices>",
        {
            **PARSED_HEADER,
            "StatusMessages": ["deregistered", "zone1-cc"],
            "DeregisteredServices": [SERVICE_ID],
        },
    ),
    Case(
        "euserv",
        "DescribeAvailableServiceTypes",
        {"Verbose": True},
        "Action=DescribeAvailableServiceTypes&Version=eucalyptus&Verbose=true",
        HEADER + "<euca:statusMessages><euca:item><euca:entry>listed 1 type</euca:entry>"
        "</euca:item></euca:statusMessages>"
        "<euca:available><euca:item><euca:componentName>compute</euca:componentName>"
        "<euca:componentCapitalizedName>Compute</euca:componentCapitalizedName>"
        "<euca:description>EC2 API</euca:description>"
        "<euca:hasCredentials>false</euca:hasCredentials>"
        "<euca:registerable>true</euca:registerable><euca:requiresName>true</euca:requiresName>"
        "<euca:partitioned>false</euca:partitioned>"
        "<euca:publicApiService>true</euca:publicApiService>"
        "<euca:serviceGroups><euca:item><euca:entry>user-api</euca:entry></euca:item>"
        "</euca:serviceGroups><euca:serviceGroupMembers/></euca:item></euca:available>",
        {
            **PARSED_HEADER,
            "StatusMessages": ["listed 1 type"],
            "Available": [
                {
                    "ComponentName": "compute",
                    "ComponentCapitalizedName": "Compute",
                    "Description": "EC2 API",
                    "HasCredentials": False,
                    "Registerable": True,
                    "RequiresName": True,
                    "Partitioned": False,
                    "PublicApiService": True,
                    "ServiceGroups": ["user-api"],
                    "ServiceGroupMembers": [],
                }
            ],
        },
    ),
    Case(
        "euserv",
        "DescribeServiceCertificates",
        {
            "Filters": [{"Name": "certificate-usage", "Values": ["image-bundling"]}],
            "Format": "pem",
            "FingerprintDigest": "SHA-256",
        },
        "Action=DescribeServiceCertificates&Version=eucalyptus&Filter.1.Name=certificate-usage"
        "&Filter.1.Value.1=image-bundling&Format=pem&FingerprintDigest=SHA-256",
        HEADER + "<euca:serviceCertificates><euca:item><euca:serviceType>compute</euca:serviceType>"
        "<euca:certificateUsage>image-bundling</euca:certificateUsage>"
        "<euca:certificateFormat>pem</euca:certificateFormat>"
        "<euca:certificate>-----BEGIN CERTIFICATE-----</euca:certificate>"
        "<euca:certificateFingerprint>AB:CD</euca:certificateFingerprint>"
        "<euca:certificateFingerprintDigest>SHA-256</euca:certificateFingerprintDigest>"
        "</euca:item></euca:serviceCertificates>",
        {
            **PARSED_HEADER,
            "ServiceCertificates": [
                {
                    "ServiceType": "compute",
                    "CertificateUsage": "image-bundling",
                    "CertificateFormat": "pem",
                    "Certificate": "-----BEGIN CERTIFICATE-----",
                    "CertificateFingerprint": "AB:CD",
                    "CertificateFingerprintDigest": "SHA-256",
                }
            ],
        },
    ),
]

EUPROP_CASES = [
    Case(
        "euprop",
        "DescribeProperties",
        {"Properties": ["dns", "cloud.network.network_configuration"]},
        "Action=DescribeProperties&Version=eucalyptus&Property.1=dns"
        "&Property.2=cloud.network.network_configuration",
        HEADER + "<euca:properties><euca:item><euca:name>dns.enabled</euca:name>"
        "<euca:value>true</euca:value><euca:description>Enable DNS</euca:description>"
        "<euca:defaultValue>true</euca:defaultValue><euca:readOnly>false</euca:readOnly>"
        "</euca:item></euca:properties>",
        {
            **PARSED_HEADER,
            "Properties": [
                {
                    "Name": "dns.enabled",
                    "Value": "true",
                    "Description": "Enable DNS",
                    "DefaultValue": "true",
                    "ReadOnly": False,
                }
            ],
        },
    ),
    Case(
        "euprop",
        "ModifyPropertyValue",
        {"Name": "dns.enabled", "Value": "false"},
        "Action=ModifyPropertyValue&Version=eucalyptus&Name=dns.enabled&Value=false",
        HEADER + "<euca:name>dns.enabled</euca:name><euca:value>false</euca:value>"
        "<euca:oldValue>true</euca:oldValue>",
        {**PARSED_HEADER, "Name": "dns.enabled", "Value": "false", "OldValue": "true"},
    ),
]

# (X, the Describe action) for every component the Configuration service registers at 4.4.2.
CONFIG_COMPONENTS = [
    ("Cluster", "DescribeClusters"),
    ("StorageController", "DescribeStorageControllers"),
    ("NodeController", "DescribeNodeControllers"),
    ("ObjectStorageGateway", "DescribeObjectStorageGateways"),
    ("WalrusBackend", "DescribeWalrusBackends"),
    ("Eucalyptus", "DescribeEucalyptus"),
    ("Compute", "DescribeCompute"),
    ("Euare", "DescribeEuare"),
    ("Tokens", "DescribeTokens"),
    ("CloudWatch", "DescribeCloudWatch"),
    ("AutoScaling", "DescribeAutoScaling"),
    ("LoadBalancing", "DescribeLoadBalancing"),
    ("CloudFormation", "DescribeCloudFormation"),
    ("Imaging", "DescribeImaging"),
    ("Dns", "DescribeDns"),
    ("Identity", "DescribeIdentity"),
    ("SimpleQueue", "DescribeSimpleQueue"),
    ("SimpleWorkflow", "DescribeSimpleWorkflow"),
    ("Portal", "DescribePortal"),
    ("Tag", "DescribeTag"),
    ("Ec2Reports", "DescribeEc2Reports"),
    ("Cassandra", "DescribeCassandra"),
    ("ClusterService", "DescribeClusterServices"),
]

REGISTERED_XML = (
    "<euca:registered><euca:item><euca:type>cluster</euca:type>"
    "<euca:partition>zone1</euca:partition><euca:name>zone1-cc</euca:name>"
    f"<euca:hostName>10.0.0.2</euca:hostName><euca:fullName>{CC_ARN}</euca:fullName>"
    "<euca:state>ENABLED</euca:state><euca:detail></euca:detail></euca:item></euca:registered>"
)
REGISTERED = [
    {
        "Type": "cluster",
        "Partition": "zone1",
        "Name": "zone1-cc",
        "HostName": "10.0.0.2",
        "FullName": CC_ARN,
        "State": "ENABLED",
        "Detail": "",
    }
]


def _euconfig_cases() -> list[Case]:
    cases = [
        Case(
            "euconfig",
            "DescribeComponents",
            {"Verbose": True},
            "Action=DescribeComponents&Version=eucalyptus&Verbose=true",
            HEADER + REGISTERED_XML,
            {**PARSED_HEADER, "Registered": REGISTERED},
        )
    ]
    for name, describe in CONFIG_COMPONENTS:
        cases += [
            Case(
                "euconfig",
                f"Register{name}",
                {"Partition": "zone1", "Name": "svc1", "Host": "10.0.0.3", "Port": 8773},
                f"Action=Register{name}&Version=eucalyptus&Partition=zone1&Name=svc1"
                "&Host=10.0.0.3&Port=8773",
                HEADER,
                PARSED_HEADER,
            ),
            Case(
                "euconfig",
                f"Deregister{name}",
                {"Name": "svc1", "Partition": "zone1"},
                f"Action=Deregister{name}&Version=eucalyptus&Name=svc1&Partition=zone1",
                HEADER + "<euca:statusMessage>deregistered svc1</euca:statusMessage>",
                {**PARSED_HEADER, "StatusMessage": "deregistered svc1"},
            ),
            Case(
                "euconfig",
                describe,
                {"Verbose": False},
                f"Action={describe}&Version=eucalyptus&Verbose=false",
                HEADER + REGISTERED_XML,
                {**PARSED_HEADER, "Registered": REGISTERED},
            ),
        ]
    return cases


MSGS_CASES = EUSERV_CASES + EUPROP_CASES + _euconfig_cases()

M1_SMALL_XML = (
    "<name>m1.small</name><cpu>1</cpu><disk>5</disk><memory>256</memory>"
    "<networkInterfaces>1</networkInterfaces>"
)
EC2_CASES = [
    Case(
        "euca-ec2",
        "DescribeInstanceTypes",
        {"InstanceTypes": ["m1.small", "c1.medium"], "Availability": True, "Verbose": True},
        "Action=DescribeInstanceTypes&Version=2015-10-01&InstanceType.1=m1.small"
        "&InstanceType.2=c1.medium&Availability=true&Verbose=true",
        '<DescribeInstanceTypesResponseType xmlns="http://ec2.amazonaws.com/doc/2015-10-01/">'
        "<requestId>r-1</requestId><instanceTypeDetails><item>"
        f"{M1_SMALL_XML}"
        "<availability><item><name>m1.small</name><zoneName>zone1</zoneName><max>16</max>"
        "<available>12</available></item></availability>"
        "<ephemeralDisk><item><virtualDeviceName>ephemeral0</virtualDeviceName>"
        "<deviceName>/dev/sdb</deviceName><size>5</size><format>ext3</format></item>"
        "</ephemeralDisk></item></instanceTypeDetails></DescribeInstanceTypesResponseType>",
        {
            "InstanceTypeDetails": [
                {
                    "Name": "m1.small",
                    "Cpu": 1,
                    "Disk": 5,
                    "Memory": 256,
                    "NetworkInterfaces": 1,
                    "Availability": [
                        {"Name": "m1.small", "ZoneName": "zone1", "Max": 16, "Available": 12}
                    ],
                    "EphemeralDisk": [
                        {
                            "VirtualDeviceName": "ephemeral0",
                            "DeviceName": "/dev/sdb",
                            "Size": 5,
                            "Format": "ext3",
                        }
                    ],
                }
            ]
        },
    ),
    Case(
        "euca-ec2",
        "ModifyInstanceTypeAttribute",
        {"Name": "m1.small", "Cpu": 2, "Memory": 512, "Reset": False},
        "Action=ModifyInstanceTypeAttribute&Version=2015-10-01&Name=m1.small&Cpu=2&Memory=512"
        "&Reset=false",
        '<ModifyInstanceTypeAttributeResponseType xmlns="http://ec2.amazonaws.com/doc/2015-10-01/">'
        "<requestId>r-2</requestId>"
        "<instanceType><name>m1.small</name><cpu>2</cpu><disk>5</disk><memory>512</memory>"
        "<networkInterfaces>1</networkInterfaces></instanceType>"
        f"<previousInstanceType>{M1_SMALL_XML}</previousInstanceType>"
        "</ModifyInstanceTypeAttributeResponseType>",
        {
            "InstanceType": {
                "Name": "m1.small",
                "Cpu": 2,
                "Disk": 5,
                "Memory": 512,
                "NetworkInterfaces": 1,
            },
            "PreviousInstanceType": {
                "Name": "m1.small",
                "Cpu": 1,
                "Disk": 5,
                "Memory": 256,
                "NetworkInterfaces": 1,
            },
        },
    ),
]
