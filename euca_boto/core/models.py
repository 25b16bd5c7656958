"""Where the plugin's botocore service models are.

In a wheel the models travel inside the package (``euca_boto/service-models``); in a source
checkout they are the top-level ``service-models/`` folder beside the package.
"""

from __future__ import annotations

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
