"""nginx in front of several `quotechat serve` replicas: the configuration the README
shows, and a balancer process for tests and measurements (loopback only).

Session affinity is required, not an optimisation: Gradio keeps a session's queue and
state in the memory of one process. A question is POST /gradio_api/queue/join followed
by GET /gradio_api/queue/data (server-sent events) for its result; if the two reach
different replicas the second answers "Session not found". Uploads and gr.State (the
maintainers' sign-in) are per process too. The session id Gradio sends is in the JSON
body of `join`, which nginx cannot route on, so nginx pins each browser with a cookie of
its own: a new visitor goes to the replica with the fewest open connections and gets
that replica's name in the cookie; while that replica is down, its backups (the others)
answer and the cookie takes the new name. A random key hashed onto the replicas (the
first version) spread 50 visitors 27-34 to one of two, and the busier replica set the
slowest answers. ip_hash would also work, but sends everyone behind one address (a
clinic's network, a mobile carrier's NAT) to one replica and moves a person whose
address changes mid-chat.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Sequence

AFFINITY_COOKIE = "quotechat_replica"
UPSTREAM_HEADER = "X-Quotechat-Upstream"  # tests only: which replica answered

SITE = """\
# A new visitor goes to the replica with the fewest open connections and gets its name
# in a cookie; later requests bring it back and reach that replica (Gradio's queue lives
# in it), or, while it is down, its backup, whose name the cookie then takes.
map $cookie_{cookie} $quotechat_pool {{
{routes}
    default quotechat;
}}
map $upstream_addr $quotechat_answered_by {{  # the last replica tried answered
{answered}
}}
map $http_upgrade $connection_upgrade {{
    default upgrade;
    ""      close;
}}
upstream quotechat {{
    least_conn;
{servers}
}}
{pinned}server {{
    listen {listen};
    client_max_body_size 6m;  # the maintainers' uploads: 5 MB a file
    location / {{
        proxy_pass http://$quotechat_pool;
        add_header Set-Cookie "{cookie}=$quotechat_answered_by; Path=/; HttpOnly; SameSite=Lax" always;
{debug}        proxy_http_version 1.1;  # keep-alive and upgrades, as Gradio expects
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $http_host;  # with the port, for the URLs Gradio builds
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;  # sign-in limits per visitor
        proxy_buffering off;  # answers arrive as server-sent events: pass them on at once
        proxy_cache off;
        proxy_read_timeout 300s;  # a maintainer's re-index streams progress for minutes
    }}
}}
"""

MAIN = """\
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}}}
"""


def site_config(listen: str, upstreams: Sequence[str], *, show_upstream: bool = False) -> str:
    """The `http`-level nginx configuration for replicas at ``upstreams`` (host:port):
    replica i (from 1) is named r<i> in the cookie."""
    if not upstreams:
        raise ValueError("give at least one replica address (host:port).")
    names = [f"r{i}" for i in range(1, len(upstreams) + 1)]
    routes = "\n".join(f"    {name} quotechat_{name};" for name in names)
    answered = "\n".join(f"    ~(^|\\s){re.escape(u)}$ {name};" for name, u in zip(names, upstreams))
    pinned = "".join(
        f"upstream quotechat_{name} {{\n    server {u};\n"
        + "".join(f"    server {other} backup;\n" for other in upstreams if other != u)
        + "}\n" for name, u in zip(names, upstreams))
    servers = "\n".join(f"    server {u};" for u in upstreams)
    debug = (f'        add_header {UPSTREAM_HEADER} $upstream_addr always;\n'
             if show_upstream else "")
    return SITE.format(cookie=AFFINITY_COOKIE, routes=routes, answered=answered,
                       servers=servers, pinned=pinned, listen=listen, debug=debug)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


class Balancer:
    """nginx on 127.0.0.1:``port`` in front of ``upstreams``, run from a temporary
    folder (configuration, pid, logs) in the foreground, stopped by stop()."""

    def __init__(self, port: int, upstreams: Sequence[str], *,
                 show_upstream: bool = False) -> None:
        binary = nginx_binary()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx).")
        self.url = f"http://127.0.0.1:{port}"
        self.folder = Path(tempfile.mkdtemp(prefix="quotechat-nginx-"))
        site = site_config(f"127.0.0.1:{port}", upstreams, show_upstream=show_upstream)
        self.config = self.folder / "nginx.conf"
        self.config.write_text(MAIN.format(prefix=self.folder, site=site), encoding="utf-8")
        self.process = subprocess.Popen(
            [binary, "-p", str(self.folder), "-c", str(self.config),
             "-e", str(self.folder / "error.log")],  # not /var/log, before the config
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def wait_ready(self, timeout: float = 20) -> None:
        import httpx
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx stopped: {self.process.stderr.read()[-500:]}")
            try:
                httpx.get(self.url + "/", timeout=2)  # any answer, even a 502: it listens
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError(f"nginx did not listen on {self.url} within {timeout:g} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Balancer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # print the sample configuration the README shows
    print(site_config("80", ["10.0.0.11:7860", "10.0.0.12:7860"]), end="")
