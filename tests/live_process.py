"""A `planner serve`/`planner demo` process on 127.0.0.1, for tests that run the real
console script: start it, wait for GET /healthz, and always stop it (SIGTERM, then kill)."""

from __future__ import annotations

import contextlib
import http.cookiejar
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server_process(args: list[str], *, env: dict, cwd, port: int, timeout_s: float = 60):
    """Run `args` (a server on `port`); yield its base URL once /healthz answers 200."""
    log = open(f"{cwd}/server-{port}.log", "w+b")  # noqa: SIM115 - read back on failure
    process = subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited with {process.returncode}: {_text(log)}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server did not answer in {timeout_s}s: {_text(log)}")
            time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", "replace")[-3000:]


class Browser:
    """Cookies kept across requests, like a browser; follows redirects."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def post(self, path: str, fields: dict) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def sign_in(self, username: str, password: str) -> tuple[int, str]:
        status, page = self.get("/login")
        assert status == 200, page
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        return self.post("/login", {"csrf_token": token, "login": username, "password": password})
