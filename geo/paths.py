"""Where newsmap keeps its files: shipped resources in the package, generated state in one data folder.

Shipped files (the classifier, the ranker's and recognizer's weights, the actor names, the
regions list) are package resources of ``geo.resources``, read with ``importlib.resources`` so an
installed wheel finds them as a checkout does.  Generated state (the gazetteer index, the event
store, the files the map serves) lives under one data folder:

- ``NEWSMAP_DATA`` when set;
- ``data/`` of the checkout when newsmap runs from one (a folder holding ``pyproject.toml`` and
  ``dashboard.py`` beside ``geo/``);
- otherwise the user's data folder (``platformdirs``, ``~/.local/share/newsmap`` on Linux).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def checkout() -> Path | None:
    """The source checkout newsmap runs from, or None when it runs installed."""
    if (_PACKAGE_PARENT / "pyproject.toml").is_file() and (_PACKAGE_PARENT / "dashboard.py").is_file():
        return _PACKAGE_PARENT
    return None


def data_dir() -> Path:
    """The folder of generated state (not created here)."""
    if os.environ.get("NEWSMAP_DATA"):
        return Path(os.environ["NEWSMAP_DATA"]).expanduser()
    root = checkout()
    return root / "data" if root else Path(platformdirs.user_data_dir("newsmap", appauthor=False))


def data_file(name: str) -> Path:
    """A file of generated state, by name (``gazetteer.pkl``, ``newsmap.duckdb``)."""
    return data_dir() / name


def resource(name: str) -> Path:
    """A data file shipped in the package (``geo/resources/NAME``), as a path on disk."""
    return resource_of("geo.resources", name)


def resource_of(package: str, name: str) -> Path:
    """A file shipped in ``package``, as a path on disk.

    Wheels install as plain files, so the traversable is a real path; a zipped install is not
    supported (numpy and DuckDB read these files by path).
    """
    return Path(str(resources.files(package).joinpath(name)))


def app_dir() -> Path:
    """The folder holding the Streamlit script: Streamlit serves ``static/`` beside it.

    In a checkout that is the checkout itself (``dashboard.py``); installed, ``newsmap dashboard``
    writes a launcher into ``<data>/app/``, so the served files stay out of site-packages.
    """
    root = checkout()
    return root if root else data_dir() / "app"


def articles_dir() -> Path:
    """The folder of articles the dashboard may read from (uploads land in its ``uploads/``)."""
    root = checkout()
    return root / "seeds" if root else data_dir() / "articles"


def static_dir() -> Path:
    """The folder Streamlit serves at ``/app/static/``: Leaflet, the basemap, published map data."""
    return app_dir() / "static"
