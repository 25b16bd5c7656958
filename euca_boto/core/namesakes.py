"""Packages whose functions are named like their submodules (``euca_boto.install``).

Importing a submodule sets the package's attribute of that name to the submodule, so a package
whose function bears the name would lose it to the first import of the submodule. A package
that imports its submodules lazily (so that starting the ``euca-boto`` command or the AWS CLI
costs little) keeps its functions with :func:`keep_functions`, and gives its other names on first
use with :func:`lazy_names`.
"""

from __future__ import annotations

import importlib
import sys
import types

TYPE_CHECKING = False  # not typing's: see euca_boto/__init__.py
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_KEPT = "_euca_boto_kept_functions"


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        if (isinstance(value, types.ModuleType) and name in getattr(self, _KEPT)
                and value.__name__ == f"{self.__name__}.{name}"):
            return  # the submodule stays reachable through sys.modules and import statements
        super().__setattr__(name, value)


def keep_functions(package: str, *names: str) -> None:
    """Keep the package's attributes ``names`` when its submodules of the same names are
    imported (the package defines them, or its ``__getattr__`` gives them on first use)."""
    module = sys.modules[package]
    setattr(module, _KEPT, frozenset(names))
    module.__class__ = _Package


def lazy_names(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A package's ``__getattr__`` (PEP 562) giving each name of ``where`` (name -> module) from
    its module, imported on first use and kept in the package after."""
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = namespace[name] = getattr(importlib.import_module(module), name)
        return value

    return __getattr__
