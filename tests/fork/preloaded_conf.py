"""gunicorn's configuration for preloaded_app: the master stops its topology updater before it
exits (the updater occupies a worker of its executor until stopped)."""

from typing import Any


def on_exit(server: Any) -> None:
    import preloaded_app

    preloaded_app.updater.stop()
