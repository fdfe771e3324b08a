"""newsmap installed as a wheel, not run from this checkout: `pip install .`, then `newsmap dashboard`."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT, SEED


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtual environment holding newsmap's wheel; its dependencies come from this machine's site."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--disable-pip-version-check",
                           str(ROOT)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return venv


def run_installed(venv, tmp_path, *args, **kwargs):
    env = {**os.environ, "NEWSMAP_DATA": str(venv / "data")}  # one gazetteer build for the module
    return subprocess.run([str(venv / "bin" / "newsmap"), *map(str, args)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, **kwargs)


def test_the_installed_package_runs_from_its_own_files(installed, tmp_path):
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import geo, geo.paths as p; print(geo.__file__); print(p.checkout())"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split("\n")
    assert str(installed) in where[0] and where[1] == "None"  # not this checkout's geo
    run = run_installed(installed, tmp_path, "ingest", SEED, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (installed / "data" / "newsmap.duckdb").is_file() and (installed / "data" / "gazetteer.pkl").is_file()
    exported = run_installed(installed, tmp_path, "export", "--out", tmp_path / "events.csv", timeout=120)
    assert exported.returncode == 0 and "Ar Rastan" in (tmp_path / "events.csv").read_text(encoding="utf-8")


def test_newsmap_dashboard_serves_the_page_and_the_map_files(installed, tmp_path):
    assert run_installed(installed, tmp_path, "ingest", SEED, timeout=300).returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "NEWSMAP_DATA": str(installed / "data")}
    server = subprocess.Popen([str(installed / "bin" / "newsmap"), "dashboard", "--server.port", str(port),
                               "--server.headless", "true"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.3)  # polling a server that has no page yet
        leaflet = urllib.request.urlopen(f"http://localhost:{port}/app/static/leaflet/leaflet.js", timeout=10)
        assert leaflet.status == 200 and b"Leaflet" in leaflet.read(2000)
        assert (installed / "data" / "app" / "static" / "leaflet" / "leaflet.js").is_file()
        # Stopped as a supervisor stops it, the server itself goes: no orphan keeps the port.
        server.terminate()
        server.wait(timeout=30)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2)
    finally:
        server.kill()
        server.wait()
