"""The admin models for every botocore of a user (``euca-boto models install`` / ``uninstall``).

botocore reads service models from a per-user directory (``~/.aws/models``) as well as its own,
so copying the plugin's models there makes the Eucalyptus admin services (``euprop``, ``euserv``,
...) and the Eucalyptus members of IAM, STS and EC2 known to unmodified tools: the AWS CLI
without ``[plugins]``, boto3 scripts, Ansible, botocore's plugin variable. This adds names, not
behaviour: a session without the plugin sends nothing differently unless it uses those names.
A manifest beside the models lists what was installed, with each file's hash, so ``uninstall``
removes exactly that and nothing of the user's own.

Nothing outside the models directory is ever written or removed: a manifest entry that leads
out of it is refused, no symbolic link inside it is followed, and a model file changed since it
was installed is the user's and stays.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import botocore.loaders

from euca_boto.core.models import models_path
from euca_boto.errors import EucaBotoError

MANIFEST = ".euca-boto-models.json"


@dataclass
class Changes:
    """What :func:`install` or :func:`uninstall` did: the files written or removed (relative
    to the models directory), and a line for each installed file left in place because it is
    not the file installed any more."""

    files: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def user_models_dir() -> Path:
    """botocore's per-user model directory (``~/.aws/models``)."""
    return Path(botocore.loaders.Loader.CUSTOMER_DATA_PATH).expanduser()


class _Link(Exception):
    """A symbolic link where a model file or one of its directories should be."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is a symbolic link")
        self.path = path


def _check_inside(directory: Path, name: str, manifest: Path) -> None:
    """Refuse a manifest entry unless it names a file below ``directory``."""
    relative = PurePosixPath(name)
    if (relative.is_absolute() or not relative.parts or "\\" in name
            or any(part in ("", ".", "..") for part in relative.parts)):
        raise EucaBotoError(
            f"{manifest} lists {name!r}, which is outside {directory}; nothing was changed: "
            f"remove that entry (or the manifest) and run the command again")


def _check_no_links(directory: Path, path: Path) -> bool:
    """Whether ``path`` exists, raising :class:`_Link` if it, or a directory between it and
    ``directory``, is a symbolic link."""
    current = directory
    for part in path.relative_to(directory).parts:
        current = current / part
        try:
            found = os.lstat(current)
        except FileNotFoundError:
            return False
        if stat.S_ISLNK(found.st_mode):
            raise _Link(current)
    return True


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as file:
        return file.read()


def _write(directory: Path, path: Path, data: bytes) -> None:
    """Write ``path`` below ``directory``, making its directories, through no link."""
    current = directory
    for part in path.parent.relative_to(directory).parts:
        current = current / part
        try:
            os.mkdir(current, 0o755)
        except FileExistsError:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                raise _Link(current) from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o644)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _Link(path) from None
        raise
    with os.fdopen(fd, "wb") as file:
        file.write(data)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(directory: Path) -> dict[str, str]:
    """The manifest's entries (relative name -> hash), each checked to lie inside."""
    path = directory / MANIFEST
    try:
        text = _read(path)
    except FileNotFoundError:
        return {}
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise EucaBotoError(f"{path} is a symbolic link; remove it and the model files it "
                                f"listed by hand") from None
        raise
    try:
        files = json.loads(text)["files"]
        entries = {str(name): str(digest) for name, digest in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise EucaBotoError(f"{path} is not a euca-boto manifest ({error}); remove it and "
                            f"the model files it listed by hand") from None
    for name in entries:
        _check_inside(directory, name, path)
    return entries


def install(directory: Path | None = None) -> Changes:
    """Copy the plugin's models into ``directory`` (botocore's per-user directory). Refuses to
    overwrite a file that is not euca-boto's (or no longer the one it installed) and to write
    through a symbolic link; either way nothing is written."""
    target = directory or user_models_dir()
    source = models_path()
    names = sorted(p.relative_to(source).as_posix() for p in source.rglob("*.json"))
    contents = {name: (source / name).read_bytes() for name in names}
    with _links_refused("install"):
        target.mkdir(parents=True, exist_ok=True)
        previous = _manifest(target)
        for name in names:
            dest = target / name
            if _check_no_links(target, dest) and _digest(_read(dest)) not in (
                    previous.get(name), _digest(contents[name])):
                whose = "was changed since it was installed" if name in previous else (
                    "exists and was not installed by euca-boto")
                raise EucaBotoError(f"{dest} {whose}; move it away, then run "
                                    f"`euca-boto models install` again")
        _check_no_links(target, target / MANIFEST)
        done = Changes()
        for name in names:
            _write(target, target / name, contents[name])
            done.files.append(name)
        # Files of an older version that this one no longer has.
        stale = Changes()
        for name in sorted(set(previous) - set(names)):
            _remove(target, name, previous[name], stale)
        done.kept += stale.kept
        manifest = {"files": {name: _digest(contents[name]) for name in names}}
        _write(target, target / MANIFEST,
               json.dumps(manifest, indent=1, sort_keys=True).encode())
    return done


def uninstall(directory: Path | None = None) -> Changes:
    """Remove what :func:`install` put into ``directory``, except files changed since: they
    are the user's now, and :attr:`Changes.kept` says so."""
    target = directory or user_models_dir()
    done = Changes()
    with _links_refused("uninstall"):
        installed = _manifest(target)
        for name in sorted(installed):
            _remove(target, name, installed[name], done)
        manifest = target / MANIFEST
        if _check_no_links(target, manifest):
            manifest.unlink()
    return done


@contextmanager
def _links_refused(action: str) -> Iterator[None]:
    try:
        yield
    except _Link as link:
        raise EucaBotoError(f"{link.path} is a symbolic link, which euca-boto does not follow; "
                            f"remove it, then run `euca-boto models {action}` again") from None


def _remove(target: Path, name: str, digest: str, done: Changes) -> None:
    """Remove one installed file if it is still the file installed."""
    path = target / name
    try:
        if not _check_no_links(target, path):
            return
    except _Link as link:
        done.kept.append(f"kept {path}: {link.path} is a symbolic link, not what euca-boto "
                         f"installed; remove it yourself if it is no longer wanted")
        return
    if _digest(_read(path)) != digest:
        done.kept.append(f"kept {path}: it was changed since it was installed; remove it "
                         f"yourself if it is no longer wanted")
        return
    path.unlink()
    done.files.append(name)
    # Folders left empty go too, up to the models directory itself.
    parent = path.parent
    while parent != target and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
