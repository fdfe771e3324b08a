"""``newsmap dashboard``: start the Streamlit page, from a checkout or from an installed wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from geo import paths

# Streamlit serves ``static/`` beside its main script and reads ``.streamlit/config.toml`` in the
# folder it starts in; installed, the page is started through this launcher in the data folder.
_LAUNCHER = '''\
# Written by `newsmap dashboard`: Streamlit serves static/ beside the script it runs.
import runpy

runpy.run_module("dashboard", run_name="__main__")
'''
CONFIG = paths.resource_of("geo.web", "streamlit-config.toml")


def prepare_app() -> tuple[Path, Path]:
    """The folder to start Streamlit in and the script to run (the launcher is written when installed).

    The map's files are written first: Streamlit looks for the static folder when it starts.
    """
    from geo import assets

    assets.install()
    root = paths.checkout()
    if root is not None:
        return root, root / "dashboard.py"
    app = paths.app_dir()
    paths.articles_dir().mkdir(parents=True, exist_ok=True)
    (app / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG, app / ".streamlit" / "config.toml")
    script = app / "newsmap_dashboard.py"
    if not script.is_file() or script.read_text(encoding="utf-8") != _LAUNCHER:
        script.write_text(_LAUNCHER, encoding="utf-8")
    return app, script


def run_dashboard(streamlit_args: list[str]) -> int:
    """Run ``streamlit run`` on the page until it stops; returns its exit code.

    Where the system allows it, this process becomes the server: a supervisor's SIGTERM, or a
    kill of ``newsmap dashboard``, then stops the server itself rather than leaving it running
    without a parent and holding its port.
    """
    folder, script = prepare_app()
    command = [sys.executable, "-m", "streamlit", "run", str(script), *streamlit_args]
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(folder)
        os.execv(sys.executable, command)
    try:
        return subprocess.call(command, cwd=folder)
    except KeyboardInterrupt:
        return 130
