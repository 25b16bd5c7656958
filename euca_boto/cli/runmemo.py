"""What ``euca-boto run`` derived from a config file, remembered until anything it used changes.

Every tool started through ``euca-boto run`` waits for the launcher, and reading the profile
(``configparser``, and the ``re`` it imports) is most of what the launcher adds to a bare
Python start. So the endpoint variables derived from a config file are remembered in a small
file in euca-boto's private cache directory, under a key made of everything they depend on:

* the config file's identity: device, inode, size, modification and change times;
* the profile, and every ``EUCA_BOTO_*`` variable;
* the launcher's own code (the modification times of its modules), so that an upgrade, which
  may know other services, derives them again.

A file keeps its times when it is changed again within the same clock tick as it was read. So,
as git does with the files in its index, nothing is remembered of a config file changed less
than :data:`SETTLE` seconds ago: a file that old was read after its last change, and any later
change gives it a later time.

The memo holds URLs, never a secret. It is used only if it is a private file of this user in
the private cache directory (:mod:`euca_boto.core.privatefiles`): whoever could write it could
send the tool's calls elsewhere. A memo that cannot be read, written or trusted is passed over
in silence: the launcher reads the config file then, as it would without one.

Standard library only, without ``re``: the start-up of ``euca-boto run`` uses this module.
"""

from __future__ import annotations

import os
import stat
import time

from euca_boto.core.privatefiles import cache_dir, read_private, replace_private

TYPE_CHECKING = False  # not typing's: see euca_boto/__init__.py
if TYPE_CHECKING:
    from collections.abc import Mapping

# How old a config file's last change must be before what was derived from it is remembered.
SETTLE = 1.0
_HEADER = "euca-boto run endpoints 1"
_FILE = "run-endpoints"
# Fields of the key are separated by a character no path, profile or URL holds.
_SEPARATOR = "\x1f"


def path() -> str:
    """Where the memo is kept."""
    return os.path.join(cache_dir(), _FILE)


class Memo:
    """The memo of one config file read for one profile in one environment."""

    def __init__(self, key: str, remember: bool) -> None:
        self.key = key
        self._remember = remember

    @classmethod
    def of(cls, config: str, profile: str, environ: Mapping[str, str],
           code: tuple[str, ...]) -> Memo | None:
        """The memo of reading ``config`` (a regular file) for ``profile`` with ``environ``,
        by the launcher made of the modules ``code``; None if it cannot be had (the file is
        missing or not a regular file)."""
        try:
            found = os.stat(config)
            versions = [os.stat(module).st_mtime_ns for module in code]
        except OSError:
            return None
        if not stat.S_ISREG(found.st_mode):
            return None
        variables = sorted(f"{name}={value}" for name, value in environ.items()
                           if name.startswith("EUCA_BOTO_"))
        fields = [os.path.abspath(config), str(found.st_dev), str(found.st_ino),
                  str(found.st_size), str(found.st_mtime_ns), str(found.st_ctime_ns), profile,
                  *map(str, versions), *variables]
        if any(_SEPARATOR in field or "\n" in field for field in fields):
            return None
        settled = max(found.st_mtime_ns, found.st_ctime_ns) / 1e9 <= time.time() - SETTLE
        return cls(_SEPARATOR.join(fields), settled)

    def recall(self) -> dict[str, str] | None:
        """The variables remembered under this key; None if there are none (or none that can
        be trusted)."""
        try:
            data = read_private(path())
        except OSError:
            return None
        if data is None:
            return None
        try:
            header, key, *lines = data.decode("utf-8").split("\n")
        except (UnicodeDecodeError, ValueError):
            return None
        if header != _HEADER or key != self.key or lines[-1:] != [""]:
            return None
        found: dict[str, str] = {}
        for line in lines[:-1]:
            name, equals, value = line.partition("=")
            if not equals:
                return None
            found[name] = value
        return found

    def remember(self, variables: Mapping[str, str]) -> None:
        """Keep ``variables`` under this key (unless the config file changed too recently to
        be sure it was read after its last change)."""
        if not self._remember:
            return
        lines = [_HEADER, self.key, *(f"{name}={value}" for name, value in variables.items())]
        if any("\n" in line for line in lines[2:]):
            return
        try:
            replace_private(path(), ("\n".join(lines) + "\n").encode("utf-8"))
        except OSError:
            pass  # not remembered: the next start reads the config file again
