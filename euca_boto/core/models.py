"""Where the plugin's botocore service models are, and what they add to botocore's.

In a wheel the models travel inside the package (``euca_boto/service-models``); in a source
checkout they are the top-level ``service-models/`` folder beside the package.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def models_path() -> Path:
    """The directory to put on botocore's model search path (or in ``AWS_DATA_PATH``)."""
    for candidate in (_PACKAGE_DIR / "service-models", _PACKAGE_DIR.parent / "service-models"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"euca-boto's service models are missing: looked in {_PACKAGE_DIR / 'service-models'} "
        f"and {_PACKAGE_DIR.parent / 'service-models'}; reinstall euca-boto"
    )


@functools.cache
def own_services() -> frozenset[str]:
    """The services only Eucalyptus has, whose whole models euca-boto carries (``euprop``,
    ``euserv``, ...), as opposed to the AWS services whose models it extends."""
    return frozenset(path.parent.parent.name for path in models_path().glob("*/*/service-2.json"))


@functools.cache
def eucalyptus_operations(service: str) -> frozenset[str]:
    """The operations euca-boto adds to an AWS service's model (IAM's ``CreateAccount``), by
    their model names; an operation the extension only amends (new members) is not one."""
    names: set[str] = set()
    for path in models_path().glob(f"{service}/*/service-2.sdk-extras.json"):
        operations = json.loads(path.read_text())["merge"].get("operations", {})
        names.update(name for name, body in operations.items() if "http" in body)
    return frozenset(names)
