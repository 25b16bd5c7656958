"""``python -m euca_boto.cli``: the ``euca-boto`` command, for an environment without the script."""

import sys

from euca_boto.cli import main

sys.exit(main())
