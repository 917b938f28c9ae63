"""A real MoE Atlas server for the integration tests: `npx next start` on a free port with a fresh
PGlite database (ATLAS_DATA_DIR in a temp dir, DATABASE_URL empty, no demo data). It needs
`npx next build` to have run in the repository (scripts/test-all.sh runs pytest after the build)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


@pytest.fixture(scope="session")
def server_url():
    if not os.path.isdir(os.path.join(REPO, ".next")):
        pytest.fail("the integration tests need a production build: run `npx next build` in the repository first")
    port = _free_port(int(os.environ.get("MOE_ATLAS_TEST_PORT", "3720")))
    data = tempfile.mkdtemp(prefix="moe-atlas-pytest-")
    env = dict(os.environ, ATLAS_DATA_DIR=os.path.join(data, "pglite"), DATABASE_URL="", ATLAS_DEMO="0", PORT=str(port), HOSTNAME="127.0.0.1")
    log = open(os.path.join(data, "server.log"), "w")
    proc = subprocess.Popen(["npx", "next", "start", "-H", "127.0.0.1", "-p", str(port)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/api/health", timeout=5) as r:
                    if json.loads(r.read()).get("ok"):
                        break
            except Exception:
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.flush()
                pytest.fail("the server did not start:\n" + open(os.path.join(data, "server.log")).read()[-3000:])
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture()
def client(server_url):
    import moe_atlas

    return moe_atlas.Client(server_url)
