"""euca-boto: makes a Eucalyptus cloud a first-class target of boto3, botocore and the AWS CLI.

The public API is what this module exports; everything else is internal.
"""

from euca_boto.errors import ConfigError, EucaBotoError
from euca_boto.install import install, session
from euca_boto.models import models_path

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "EucaBotoError",
    "install",
    "models_path",
    "session",
    "__version__",
]
