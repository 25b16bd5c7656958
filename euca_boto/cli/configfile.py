"""Edits of the shared AWS config file that leave everything else in it as it was.

``euca-boto awscli enable`` and ``euca-boto endpoints export`` set a few keys of a few sections.
The file is edited as lines: comments, order, spacing and every other key stay exactly as the
user wrote them, and running a command twice leaves the file as the first run did. A file that
botocore could not parse is refused before anything is written; the new text replaces the old
in one rename, with the old file's permissions (0600 for a new file: it may hold secrets).
"""

from __future__ import annotations

import configparser
import os
import tempfile
from pathlib import Path

from euca_boto.core.settings import config_file_problem
from euca_boto.errors import ConfigError


def config_path() -> Path:
    """The shared config file botocore and every AWS SDK read (``AWS_CONFIG_FILE``)."""
    return Path(os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"))


class ConfigText:
    """The lines of an AWS config file, with section-and-key edits."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"

    @classmethod
    def read(cls, path: Path) -> ConfigText:
        """The file at ``path`` (empty if missing). Raises :class:`ConfigError` (one line:
        where and why) if botocore could not parse it."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls("")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path} cannot be read: {error}") from None
        try:
            configparser.RawConfigParser().read_string(text, source=str(path))
        except configparser.Error:
            raise ConfigError(config_file_problem(str(path))) from None
        return cls(text)

    def text(self) -> str:
        return "".join(self.lines)

    # -- reading ----------------------------------------------------------------------------

    def has_section(self, section: str) -> bool:
        return self._bounds(section) is not None

    def get(self, section: str, key: str) -> str | None:
        """The value of ``key`` (first line only; a nested block's lines are not read)."""
        found = self._key(section, key)
        if found is None:
            return None
        return self.lines[found[0]].split("=", 1)[1].strip()

    def keys(self, section: str) -> list[str]:
        bounds = self._bounds(section)
        if bounds is None:
            return []
        return [_key_of(line) for line in self.lines[bounds[0] + 1:bounds[1]]
                if _key_of(line)]

    # -- editing ----------------------------------------------------------------------------

    def set(self, section: str, key: str, value: str, nested: dict[str, str] | None = None) -> None:
        """Set ``key = value`` in ``section`` (created at the end if missing), in place of the
        key's current lines; ``nested``: the indented lines of a nested block under it."""
        new = [f"{key} = {value}".rstrip() + "\n"]
        new += [f"  {name} = {text}\n" for name, text in (nested or {}).items()]
        found = self._key(section, key)
        if found is not None:
            self.lines[found[0]:found[1]] = new
            return
        bounds = self._bounds(section)
        if bounds is None:
            if self.lines and self.lines[-1].strip():
                self.lines.append("\n")
            self.lines += [f"[{section}]\n", *new]
            return
        end = bounds[1]
        while end > bounds[0] + 1 and self.lines[end - 1].strip()[:1] in ("", "#", ";"):
            end -= 1  # before the blank lines and comments that lead to the next section
        self.lines[end:end] = new

    def remove(self, section: str, key: str) -> bool:
        """Remove ``key`` (and its nested lines) from ``section``; whether it was there."""
        found = self._key(section, key)
        if found is None:
            return False
        del self.lines[found[0]:found[1]]
        return True

    def remove_section(self, section: str) -> bool:
        """Remove ``section`` with everything in it, and the blank lines before it."""
        bounds = self._bounds(section)
        if bounds is None:
            return False
        start, end = bounds
        while start > 0 and not self.lines[start - 1].strip():
            start -= 1
        del self.lines[start:end]
        return True

    def write(self, path: Path) -> None:
        """Replace the file at ``path`` with this text in one rename."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o600
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(self.text())
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # -- internals --------------------------------------------------------------------------

    def _bounds(self, section: str) -> tuple[int, int] | None:
        """The line of ``[section]`` and the line where the section ends."""
        start = next((i for i, line in enumerate(self.lines)
                      if _header_of(line) == section), None)
        if start is None:
            return None
        end = next((i for i in range(start + 1, len(self.lines))
                    if _header_of(self.lines[i]) is not None), len(self.lines))
        return start, end

    def _key(self, section: str, key: str) -> tuple[int, int] | None:
        """The first line of ``key`` in ``section`` and the line after its nested lines."""
        bounds = self._bounds(section)
        if bounds is None:
            return None
        for index in range(bounds[0] + 1, bounds[1]):
            if _key_of(self.lines[index]) == key.lower():
                end = index + 1
                while end < bounds[1] and self.lines[end][:1] in (" ", "\t") \
                        and self.lines[end].strip():
                    end += 1
                return index, end
        return None


def _header_of(line: str) -> str | None:
    text = line.strip()
    return text[1:-1].strip() if text.startswith("[") and text.endswith("]") else None


def _key_of(line: str) -> str:
    if line[:1] in (" ", "\t", "#", ";", "[") or "=" not in line:
        return ""
    return line.split("=", 1)[0].strip().lower()
