"""Run the web app on a production WSGI server: gunicorn on Unix, else waitress.

gunicorn forks `workers` processes, each with `threads` request threads and its own solve
pool (solve runs live in the database, so any process can show or cancel any run).
waitress, the fallback where gunicorn cannot run (Windows) or is not installed, is one
process with `threads` request threads. Configuration comes from the environment: see
docs/deploy.md.
"""

from __future__ import annotations

import importlib.util
import sys

SERVERS = ("auto", "gunicorn", "waitress")


def available_server(wanted: str = "auto") -> str:
    """The server to use: `wanted`, or for "auto" gunicorn when it can run here, else waitress."""
    if wanted != "auto":
        return wanted
    if sys.platform != "win32" and importlib.util.find_spec("gunicorn") is not None:
        return "gunicorn"
    return "waitress"


def serve(
    app_factory,
    *,
    host: str,
    port: int,
    workers: int = 2,
    threads: int = 4,
    server: str = "auto",
    announce=print,
) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM). `app_factory()` builds the Flask app; with
    gunicorn each worker process calls it after the fork, so no solver thread crosses one."""
    chosen = available_server(server)
    if chosen == "gunicorn":
        _gunicorn(app_factory, host, port, workers, threads, announce)
    else:
        if workers > 1:
            announce(f"waitress runs one process: --workers {workers} ignored, {threads} threads")
        _waitress(app_factory, host, port, threads, announce)


def _gunicorn(app_factory, host, port, workers, threads, announce) -> None:
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",  # threads: the pages stay responsive while solves run
        "accesslog": "-",
        "errorlog": "-",
        "timeout": 60,
        "graceful_timeout": 20,
        "preload_app": False,  # build the app (and its solve pool) in each worker
        "control_socket_disable": True,  # gunicorn >= 24 would open one in $HOME
    }

    class Gunicorn(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if key in self.cfg.settings:  # older gunicorns lack some settings
                    self.cfg.set(key, value)

        def load(self):
            return app_factory()

    announce(f"gunicorn: {workers} worker process(es) × {threads} threads on {options['bind']}")
    Gunicorn().run()


def _waitress(app_factory, host, port, threads, announce) -> None:
    import waitress

    announce(f"waitress: {threads} threads on {host}:{port}")
    waitress.serve(app_factory(), host=host, port=port, threads=threads, ident="planner")
