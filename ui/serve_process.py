"""`quotechat serve` in a child process on 127.0.0.1: what the load test, the replica
measurement and their tests start. Its output goes to a temporary file, read only when
something goes wrong (a pipe nobody reads would block the server once it fills)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

PROJECT = Path(__file__).resolve().parent.parent


class ServeProcess:
    def __init__(self, port: int, serve_args: Sequence[str] = (), *,
                 env: dict[str, str] | None = None, app_dir: Path | None = None) -> None:
        root = app_dir or PROJECT
        environ = dict(os.environ, **(env or {}))
        environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(root), environ.get("PYTHONPATH", "")) if p)
        environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                       GRADIO_ANALYTICS_ENABLED="False")
        self.port, self.url = port, f"http://127.0.0.1:{port}/"
        self._log = tempfile.NamedTemporaryFile(prefix=f"quotechat-{port}-", suffix=".log")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), *serve_args],
            cwd=root, env=environ, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return Path(self._log.name).read_text(encoding="utf-8", errors="replace")

    def ready(self) -> bool:
        """True once the page is served; RuntimeError with the log if it exited."""
        import httpx
        if self.process.poll() is not None:
            raise RuntimeError(f"quotechat serve on port {self.port} exited:\n"
                               f"{self.log()[-2000:]}")
        try:
            return httpx.get(f"{self.url}config", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"quotechat serve not up on {self.url} within "
                                   f"{timeout:g} s:\n{self.log()[-2000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)
        self._log.close()

    def __enter__(self) -> "ServeProcess":
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
