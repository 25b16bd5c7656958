"""The admin models for every botocore of a user (``euca-boto models install`` / ``uninstall``).

botocore reads service models from a per-user directory (``~/.aws/models``) as well as its own,
so copying the plugin's models there makes the Eucalyptus admin services (``euprop``, ``euserv``,
...) and the Eucalyptus members of IAM, STS and EC2 known to unmodified tools: the AWS CLI
without ``[plugins]``, boto3 scripts, Ansible, botocore's plugin variable. This adds names, not
behaviour: a session without the plugin sends nothing differently unless it uses those names.
A manifest beside the models lists what was installed, so ``uninstall`` removes exactly that
and nothing of the user's own.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import botocore.loaders

from euca_boto.core.models import models_path
from euca_boto.errors import EucaBotoError

MANIFEST = ".euca-boto-models.json"


def user_models_dir() -> Path:
    """botocore's per-user model directory (``~/.aws/models``)."""
    return Path(botocore.loaders.Loader.CUSTOMER_DATA_PATH).expanduser()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(directory: Path) -> dict[str, str]:
    path = directory / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text())["files"]
    except (ValueError, KeyError, TypeError) as error:
        raise EucaBotoError(f"{path} is not a euca-boto manifest ({error}); remove it and "
                            f"the model files it listed by hand") from None
    return {str(name): str(digest) for name, digest in files.items()}


def install(directory: Path | None = None) -> list[str]:
    """Copy the plugin's models into ``directory`` (botocore's per-user directory); returns the
    files written, relative to it. Refuses to overwrite a file that is not euca-boto's."""
    target = directory or user_models_dir()
    source = models_path()
    previous = _manifest(target)
    files = sorted(p.relative_to(source) for p in source.rglob("*.json"))
    for name in files:
        dest = target / name
        if dest.exists() and str(name) not in previous and _digest(dest) != _digest(source / name):
            raise EucaBotoError(f"{dest} exists and was not installed by euca-boto; "
                                f"move it away, then run `euca-boto models install` again")
    written = {}
    for name in files:
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, dest)
        written[str(name)] = _digest(dest)
    # Files of an older version that this one no longer has.
    for stale in set(previous) - set(written):
        _remove(target, stale)
    (target / MANIFEST).write_text(json.dumps({"files": written}, indent=1, sort_keys=True))
    return sorted(written)


def uninstall(directory: Path | None = None) -> list[str]:
    """Remove what :func:`install` put into ``directory``; returns the files removed."""
    target = directory or user_models_dir()
    installed = _manifest(target)
    for name in installed:
        _remove(target, name)
    (target / MANIFEST).unlink(missing_ok=True)
    return sorted(installed)


def _remove(target: Path, name: str) -> None:
    path = target / name
    path.unlink(missing_ok=True)
    # Folders left empty go too, up to the models directory itself.
    parent = path.parent
    while parent != target and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
