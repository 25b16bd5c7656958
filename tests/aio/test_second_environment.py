"""The aiobotocore tests, and the retry and breaker suites, on aiobotocore's older botocore.

In an environment without aiobotocore (the default one, with the newest botocore) this runs
those suites in the second environment, so one test command covers both ends of the botocore
range; inside the second environment they run directly and this test has nothing to do.
"""

from __future__ import annotations

import subprocess

import pytest
import second_environment
from modes import HAVE_AIOBOTOCORE

# With the README's blocks, one of which needs aiobotocore.
SUITES = ("tests/aio", "tests/retry", "tests/breaker", "tests/foundation/test_readme.py")


@pytest.mark.skipif(HAVE_AIOBOTOCORE, reason="aiobotocore is here: its tests run directly")
def test_the_async_retry_and_breaker_suites_pass_with_aiobotocore() -> None:
    interpreter = second_environment.python()
    result = subprocess.run(
        [str(interpreter), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *SUITES],
        capture_output=True, text=True, timeout=1200, cwd=second_environment.ROOT,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    print(f"second environment ({interpreter}): {summary}")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in summary, summary
    assert "aiobotocore is not installed" not in result.stdout, "aiobotocore tests were skipped"
