"""The aiobotocore tests, the retry, breaker and AWS CLI suites and the model check at the low
end of the supported botocore range.

In an environment without aiobotocore (the default one, with the newest botocore) this runs
those suites in the second environment, so one test command covers both ends of the botocore
range; inside the second environment they run directly and this test has nothing to do.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import second_environment
from child_pytest import run_child_pytest, say
from modes import HAVE_AIOBOTOCORE

pytestmark = pytest.mark.environments

# With the README's blocks, one of which needs aiobotocore.
SUITES = ("tests/aio", "tests/retry", "tests/breaker", "tests/foundation/test_readme.py",
          "tests/awscli", "tests/admin/test_awscli.py", "tests/foundation/test_import_cost.py")


def built(config: pytest.Config) -> Path:
    """The second environment's interpreter, saying so on the terminal when it is built."""
    if second_environment.needs_build():
        say(config, f"[second environment] building {second_environment.VENV} at the botocore "
                    f"floor: a few minutes, once")
    return second_environment.python()


@pytest.mark.skipif(HAVE_AIOBOTOCORE, reason="aiobotocore is here: this is the second environment")
def test_the_second_environment_is_the_declared_floor_with_the_cli_on_plain_botocore(
    pytestconfig: pytest.Config,
) -> None:
    interpreter = built(pytestconfig)
    versions = subprocess.run(
        [str(interpreter), "-c", "import botocore, boto3, awscli, os; "
         "print(botocore.__version__, boto3.__version__, awscli.__version__, "
         "os.path.basename(os.path.dirname(os.path.dirname(botocore.__file__))))"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split()
    floor = second_environment.botocore_floor()
    assert versions == [floor, floor, f"1.45.{floor.rsplit('.', 1)[1]}", "site-packages"]
    check = subprocess.run(
        [str(interpreter), "tools/generate_models.py", "--check"],
        capture_output=True, text=True, timeout=300, cwd=second_environment.ROOT,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.skipif(HAVE_AIOBOTOCORE, reason="aiobotocore is here: its tests run directly")
def test_the_async_retry_and_breaker_suites_pass_with_aiobotocore(
    pytestconfig: pytest.Config,
) -> None:
    interpreter = built(pytestconfig)
    result = run_child_pytest(
        pytestconfig, "second environment", interpreter,
        ["-rs", "-p", "no:cacheprovider", *SUITES], cwd=second_environment.ROOT, timeout=1200,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in summary, summary
    assert "aiobotocore is not installed" not in result.stdout, "aiobotocore tests were skipped"
