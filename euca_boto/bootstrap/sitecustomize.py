"""Started by ``euca-boto run`` in every Python process of the command's process tree.

``euca-boto run`` puts this file's directory first on ``PYTHONPATH``, so Python's ``site`` module
imports it at start-up in the command and in every Python child it starts (Ansible runs each
module in a child interpreter). It uses only the standard library and costs nothing until
botocore or the AWS CLI is imported: it watches for ``botocore.session`` and
``aiobotocore.session`` and, once one is loaded, makes the first ``create_client`` of every
session install euca-boto on that session (by then the tool has chosen its profile); in the AWS
CLI (v1 or v2) it also loads the CLI plugin, which adds the admin services' commands and options
such as ``--allow-script-execution``. euca-boto itself is imported only then.

euca-boto is imported from the installation ``euca-boto run`` belongs to (this file's package),
never from the working directory or a script's directory, where anyone could plant a package of
that name. A Python of another environment (the AWS CLI v2 runs on its own) gets that same
euca-boto, and the dependencies it lacks from the directories ``_EUCA_BOTO_RUN_LIBRARY`` names.
A Python that still cannot import euca-boto says so in one line on stderr when it loads botocore,
instead of running the tool without the plugin unannounced. The ``sitecustomize`` this one
shadows, if any, still runs.
"""

# Only modules every Python has loaded before site runs (``_thread`` is built in): this file runs
# in every Python process of the command, most of which never import botocore.
import _thread
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# The directory holding the euca_boto package this file belongs to.
_PACKAGE_HOME = os.path.dirname(os.path.dirname(_HERE))
# euca-boto's dependencies besides botocore (euca_boto/cli/run.py: DEPENDENCIES, and where
# euca-boto run found them).
_DEPENDENCIES = ("dns",)
_LIBRARY = [p for p in os.environ.get("_EUCA_BOTO_RUN_LIBRARY", "").split(os.pathsep) if p]
# module -> the name of the session class whose create_client is wrapped (the AWS CLI's
# plugin loader is wrapped instead)
_WATCHED = {"botocore.session": "Session", "aiobotocore.session": "AioSession",
            "awscli.plugin": ""}
_MARK = "_euca_boto_run"  # set on a session once it has been considered
_PLAIN = "_euca_boto_plain"  # set by euca-boto on its internal sessions
_CLI_PLUGIN = "euca_boto.awscli_plugin"
_lock = _thread.RLock()
_reported: "set[str]" = set()


def _path_finder():
    """The import system's finder of modules on a path (importlib.machinery.PathFinder), taken
    from sys.meta_path, where start-up put it, so as not to import importlib here."""
    for finder in sys.meta_path:
        if getattr(finder, "__name__", None) == "PathFinder" and hasattr(finder, "find_spec"):
            return finder
    import importlib.machinery

    return importlib.machinery.PathFinder


_PathFinder = _path_finder()


def _renew_lock():
    # A fork child has only the thread that forked: a lock another thread held stays held
    # there forever. euca-boto's own state does this in euca_boto.core.process, which this
    # file must not import.
    global _lock
    _lock = _thread.RLock()


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
    # Found, not imported (botocore is half-way through its own import), where _Watcher looks.
    if "euca_boto" in sys.modules:
        return True
    try:
        spec = _PathFinder.find_spec("euca_boto", [_PACKAGE_HOME])
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin not in (None, "namespace")


def _say_missing(detail=""):
    where = (" (to the profile's first endpoints, from the AWS_ENDPOINT_URL_* variables)"
             if os.environ.get("_EUCA_BOTO_RUN_ENDPOINTS") else "")
    _say_once(
        "missing",
        f"{sys.executable} cannot import euca_boto{detail}, so AWS calls from this process run "
        f"without it{where}",
    )


def _import(name):
    """Import a module of euca-boto; None (after saying why, once) if this Python cannot."""
    try:
        __import__(name)
        return sys.modules[name]
    except ImportError as error:
        _say_missing(f" ({error})")
    except SyntaxError as error:  # a Python older than euca-boto supports
        _say_missing(f" (Python {sys.version.split()[0]}: {error.msg})")
    return None


def _install(session, kind):
    autoinstall = _import("euca_boto.autoinstall")
    if autoinstall is not None:
        autoinstall.install_on(session, kind)


def _like(original, wrapper):
    """What ``functools.wraps`` does, without importing functools into every process."""
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        try:
            setattr(wrapper, attribute, getattr(original, attribute))
        except AttributeError:
            pass
    wrapper.__dict__.update(getattr(original, "__dict__", {}))
    wrapper.__wrapped__ = original
    return wrapper


def _wrap_create_client(cls, kind):
    original = cls.create_client

    def create_client(self, *args, **kwargs):
        if getattr(self, _MARK, None) != "done" and not getattr(self, _PLAIN, False):
            # A session installed already (by the program, or by the AWS CLI's plugin) calls
            # this from its own create_client: going through that again would build the client
            # twice over.
            through_plugin = "create_client" in vars(self)
            # Held while installing (no network call): other threads creating the session's
            # first clients wait, then go through the installed session like this one.
            with _lock:
                if getattr(self, _MARK, None) is None:
                    setattr(self, _MARK, "installing")
                    try:
                        _install(self, kind)
                    finally:
                        setattr(self, _MARK, "done")
            if not through_plugin and "create_client" in vars(self):
                # The session now routes client creation through the plugin.
                return self.create_client(*args, **kwargs)
        return original(self, *args, **kwargs)

    cls.create_client = _like(original, create_client)


def _wrap_load_plugins(module):
    """The AWS CLI's plugin loader, which also initialises euca-boto's CLI plugin unless the
    config file's ``[plugins]`` section names it already."""
    original = module.load_plugins

    def load_plugins(plugin_mapping, event_hooks=None, include_builtins=True):
        named = _CLI_PLUGIN in plugin_mapping.values()
        event_hooks = original(plugin_mapping, event_hooks, include_builtins)
        if not named:
            plugin = _import(_CLI_PLUGIN)
            if plugin is not None:
                plugin.awscli_initialize(event_hooks)
        return event_hooks

    module.load_plugins = _like(original, load_plugins)


def _loaded(name, module):
    if not _euca_boto_available():
        _say_missing()
        return
    if name == "awscli.plugin":
        _wrap_load_plugins(module)
        return
    cls = getattr(module, _WATCHED[name], None)
    if cls is not None and "create_client" in vars(cls):
        _wrap_create_client(cls, "aio" if name.startswith("aiobotocore") else "botocore")


class _Loader:
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


class _Watcher:
    """Finds watched modules through the other finders, then wraps their loader; finds the
    euca_boto package in its own installation only."""

    # What tells any copy of this hook that one is installed (euca-boto run loads it under
    # another name in its own process, whose start-up may have run it as sitecustomize).
    euca_boto_run_watcher = True

    def find_spec(self, fullname, path, target=None):
        if fullname == "euca_boto":
            return _PathFinder.find_spec(fullname, [_PACKAGE_HOME])
        if fullname not in _WATCHED:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    # A loader by protocol: importlib.abc is not imported here (see above).
                    spec.loader = _Loader(fullname, spec.loader)  # type: ignore[assignment]
                return spec
        return None


class _Library:
    """Last resort for euca-boto's dependencies: where ``euca-boto run`` found them."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in _DEPENDENCIES or not _LIBRARY:
            return None
        return _PathFinder.find_spec(fullname, _LIBRARY)


def _chain_shadowed():
    """Run the ``sitecustomize`` further down the path, which this module hides."""
    paths = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
    spec = _PathFinder.find_spec("sitecustomize", paths)
    if spec is None or spec.loader is None:
        return
    module = type(sys)("sitecustomize")
    module.__spec__, module.__file__, module.__loader__ = spec, spec.origin, spec.loader
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # what site.py does for a failing sitecustomize
        kind = type(error).__name__
        sys.stderr.write(f"Error in sitecustomize ({spec.origin}): {kind}: {error}\n")


if not any(getattr(finder, "euca_boto_run_watcher", False) for finder in sys.meta_path):
    sys.meta_path.insert(0, _Watcher())
    sys.meta_path.append(_Library())
if __name__ == "sitecustomize":  # not when euca-boto run loads it into its own interpreter
    _chain_shadowed()
    # Its work on the path is done: left there, this directory would be searched first for
    # every top-level module the process imports (some six million instructions in `aws`).
    # Child processes still find it on PYTHONPATH.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
