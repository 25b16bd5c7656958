"""Started by ``euca-boto run`` in every Python process of the command's process tree.

``euca-boto run`` puts this file's directory first on ``PYTHONPATH``, so Python's ``site`` module
imports it at start-up in the command and in every Python child it starts (Ansible runs each
module in a child interpreter). It uses only the standard library and costs nothing until
botocore is imported: it watches for ``botocore.session`` and ``aiobotocore.session`` and, once
one is loaded, makes the first ``create_client`` of every session install euca-boto on that
session (by then the tool has chosen its profile). euca-boto itself is imported only then.

A Python that cannot import euca-boto (another interpreter or virtual environment) says so in
one line on stderr when it loads botocore, instead of running the tool without the plugin. The
``sitecustomize`` this one shadows, if any, still runs.
"""

import functools
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading

_HERE = os.path.dirname(os.path.abspath(__file__))
# module -> the name of the session class whose create_client is wrapped
_WATCHED = {"botocore.session": "Session", "aiobotocore.session": "AioSession"}
_MARK = "_euca_boto_run"  # set on a session once it has been considered
_PLAIN = "_euca_boto_plain"  # set by euca-boto on its internal sessions
_lock = threading.RLock()
_reported: "set[str]" = set()


def _renew_lock():
    # A fork child has only the thread that forked: a lock another thread held stays held
    # there forever. euca-boto's own state does this in euca_boto.core.process, which this
    # file must not import.
    global _lock
    _lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_lock)


def _say_once(key, message):
    with _lock:
        if key in _reported:
            return
        _reported.add(key)
    sys.stderr.write("euca-boto run: " + message + "\n")
    sys.stderr.flush()


def _euca_boto_available():
    # Found, not imported (botocore is half-way through its own import). A namespace package of
    # that name (a stray folder) has no origin and does not count.
    try:
        spec = importlib.util.find_spec("euca_boto")
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin not in (None, "namespace")


def _say_missing(detail=""):
    _say_once(
        "missing",
        f"{sys.executable} cannot import euca_boto{detail}, so AWS calls from this process run "
        f"without it; install euca-boto into this Python",
    )


def _install(session, kind):
    try:
        from euca_boto.autoinstall import install_on
    except ImportError as error:
        _say_missing(f" ({error})")
        return
    install_on(session, kind)


def _wrap_create_client(cls, kind):
    original = cls.create_client

    @functools.wraps(original)
    def create_client(self, *args, **kwargs):
        if getattr(self, _MARK, None) != "done" and not getattr(self, _PLAIN, False):
            # Held while installing (no network call): other threads creating the session's
            # first clients wait, then go through the installed session like this one.
            with _lock:
                if getattr(self, _MARK, None) is None:
                    setattr(self, _MARK, "installing")
                    try:
                        _install(self, kind)
                    finally:
                        setattr(self, _MARK, "done")
            if "create_client" in vars(self):
                # The session now routes client creation through the plugin.
                return self.create_client(*args, **kwargs)
        return original(self, *args, **kwargs)

    cls.create_client = create_client


def _loaded(name, module):
    if not _euca_boto_available():
        _say_missing()
        return
    cls = getattr(module, _WATCHED[name], None)
    if cls is not None and "create_client" in vars(cls):
        _wrap_create_client(cls, "aio" if name.startswith("aiobotocore") else "botocore")


class _Loader(importlib.abc.Loader):
    """The module's own loader, telling :func:`_loaded` once the module has run."""

    def __init__(self, name, loader):
        self._name = name
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _loaded(self._name, module)

    def __getattr__(self, attribute):
        return getattr(self._loader, attribute)


class _Watcher(importlib.abc.MetaPathFinder):
    """Finds watched modules through the other finders, then wraps their loader."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in _WATCHED:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(fullname, spec.loader)
                return spec
        return None


def _chain_shadowed():
    """Run the ``sitecustomize`` further down the path, which this module hides."""
    paths = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", paths)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # what site.py does for a failing sitecustomize
        kind = type(error).__name__
        sys.stderr.write(f"Error in sitecustomize ({spec.origin}): {kind}: {error}\n")


if not any(isinstance(finder, _Watcher) for finder in sys.meta_path):
    sys.meta_path.insert(0, _Watcher())
_chain_shadowed()
