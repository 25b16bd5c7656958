"""euca-boto's private cache directory, and the checks that keep what is in it this user's own.

What euca-boto remembers between processes (the state file of endpoint ejections and breakers,
what ``euca-boto run`` derived from a config file) lives in ``$XDG_CACHE_HOME/euca-boto`` (else
``~/.cache/euca-boto``). Anyone who could write there could steer the user's calls, so, as ssh
does with its keys, a file is used only if it is a regular file of this user that nobody else
may write, in a directory of this user (or root) that nobody else may write; links are never
followed. The checks are made on the open descriptor or before the open, so nothing can be
swapped in between.

Standard library only, and no pathlib: the start-up of ``euca-boto run`` uses this module.
"""

from __future__ import annotations

import errno
import os
import stat

TYPE_CHECKING = False  # not typing's: see euca_boto/__init__.py
if TYPE_CHECKING:
    from collections.abc import Callable


def cache_dir() -> str:
    """euca-boto's cache directory: ``$XDG_CACHE_HOME/euca-boto``, else ``~/.cache/euca-boto``."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "euca-boto")


def private_dir(directory: str | os.PathLike[str]) -> None:
    """Make sure ``directory`` is a private directory of this user (or root's, which nobody
    else can change either), creating it 0700 (and its parents) if missing; raise ``OSError``
    saying what is wrong otherwise."""
    os.makedirs(os.path.dirname(os.fspath(directory)) or os.curdir, exist_ok=True)
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    _check(directory, os.lstat(directory), stat.S_ISDIR, "a directory", {os.getuid(), 0})


def private_file(path: str | os.PathLike[str]) -> None:
    """Make sure ``path`` is a private file of this user in a private directory, creating both
    if missing (0700 and 0600, whatever the umask); raise ``OSError`` saying what is wrong
    otherwise. A file readable by others (as earlier versions made them) is made private."""
    private_dir(os.path.dirname(os.fspath(path)))
    fd = _open(path, os.O_RDWR | os.O_CREAT)
    try:
        found = os.fstat(fd)
        _check(path, found, stat.S_ISREG, "a regular file", {os.getuid()})
        if stat.S_IMODE(found.st_mode) & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def read_private(path: str | os.PathLike[str], limit: int = 1 << 16) -> bytes | None:
    """What a private file of this user in a private directory holds (at most ``limit``
    bytes); None if it is missing. Raises ``OSError`` if it or its directory is not private."""
    directory = os.path.dirname(os.fspath(path))
    _check(directory, os.lstat(directory), stat.S_ISDIR, "a directory", {os.getuid(), 0})
    try:
        fd = _open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        _check(path, os.fstat(fd), stat.S_ISREG, "a regular file", {os.getuid()})
        return os.read(fd, limit)
    finally:
        os.close(fd)


def replace_private(path: str | os.PathLike[str], data: bytes) -> None:
    """Put ``data`` in ``path`` (0600, in a private directory) at once: readers see the old
    file or the new one, never a part. Raises ``OSError``."""
    target = os.fspath(path)
    private_dir(os.path.dirname(target))
    temporary = f"{target}.{os.getpid()}.new"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _open(path: str | os.PathLike[str], flags: int) -> int:
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OSError(f"{os.fspath(path)} is a symbolic link; it is not followed") from None
        if error.errno == errno.EISDIR:
            raise OSError(f"{os.fspath(path)} is a directory") from None
        if error.errno == errno.ENOENT:
            raise
        raise OSError(f"cannot open {os.fspath(path)}: {error.strerror or error}") from None


def _check(path: str | os.PathLike[str], found: os.stat_result,
           is_kind: Callable[[int], bool], kind: str, owners: set[int]) -> None:
    name = os.fspath(path)
    if stat.S_ISLNK(found.st_mode):
        raise OSError(f"{name} is a symbolic link; it is not followed")
    if not is_kind(found.st_mode):
        raise OSError(f"{name} is not {kind}")
    if found.st_uid not in owners:
        raise OSError(f"{name} is owned by uid {found.st_uid}, not by this user "
                      f"(uid {os.getuid()})")
    mode = stat.S_IMODE(found.st_mode)
    if mode & 0o022:
        raise OSError(f"{name} is writable by its group or by others (mode {mode:04o})")
