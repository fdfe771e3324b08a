"""The event table: one schema, and the frames and files derived from it."""

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import ExportError
from geo.table import (
    ACLED_COLUMNS,
    COLUMN_NAMES,
    EVENT_TYPES,
    PLACE_COLUMN_DECLARATIONS,
    Event,
    empty_frame,
    events_frame,
    export,
    markdown_table,
    validate,
)

ROOT = Path(__file__).resolve().parent.parent


def sample_events():
    return [
        Event(event_id="a#1", event_date="2011-09-24", time_precision=1, event_type="Battles",
              sub_event_type="Armed clash", location="Ar Rastan", country="Syria", iso="SY",
              latitude=34.93, longitude=36.73, geo_precision=1, fatalities=10,
              notes='Clashes <b>"here"</b>', source="Title", article_id="a", excerpt_start=0,
              excerpt_end=10, place_status="resolved", confidence=0.9),
        Event(event_id="a#2", event_type="Protests", sub_event_type="Peaceful protest",
              location="Atlantis", place_status="unresolved", article_id="a", fatalities=0),
    ]


def test_acled_columns_and_taxonomy_are_acleds():
    for name in ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "admin1",
                 "country", "latitude", "longitude", "geo_precision", "time_precision", "fatalities",
                 "notes", "source"):
        assert name in ACLED_COLUMNS
    assert len(EVENT_TYPES) == 6 and sum(len(s) for s in EVENT_TYPES.values()) == 25
    assert "Shelling/artillery/missile attack" in EVENT_TYPES["Explosions/Remote violence"]


def test_frames_follow_the_declaration():
    assert list(empty_frame().columns) == list(COLUMN_NAMES)
    frame = events_frame(sample_events())
    assert list(frame.columns) == list(COLUMN_NAMES)
    assert str(frame["fatalities"].dtype) == "Int64" and validate(frame) == []
    assert math.isnan(frame.loc[1, "latitude"])  # unresolved stays, flagged, without a point


def test_validation_names_what_breaks():
    frame = events_frame(sample_events())
    frame.loc[0, "event_type"] = "Picnic"
    frame.loc[1, "latitude"] = 120.0
    problems = " ".join(validate(frame))
    assert "event_type" in problems and "latitude" in problems


def test_exports_round_trip(tmp_path):
    frame = events_frame(sample_events())
    back = pd.read_csv(export(frame, tmp_path / "e.csv"))
    assert list(back.columns) == list(COLUMN_NAMES) and back.loc[0, "notes"] == frame.loc[0, "notes"]
    geojson = json.loads(export(frame, tmp_path / "e.geojson").read_text(encoding="utf-8"))
    assert geojson["features"][0]["geometry"]["coordinates"] == [36.73, 34.93]
    assert geojson["features"][1]["geometry"] is None
    parquet = pd.read_parquet(export(frame, tmp_path / "e.parquet"))
    assert parquet.loc[0, "fatalities"] == 10
    with pytest.raises(ExportError, match=".csv"):
        export(frame, tmp_path / "e.xlsx")


def test_readme_documents_the_declared_columns():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme
    assert markdown_table(PLACE_COLUMN_DECLARATIONS) in readme
