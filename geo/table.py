"""The event table: one declaration of its columns, and everything derived from it.

The columns, their dtypes and allowed values are declared once in ``EVENT_COLUMNS``;
the dataclass row, empty frames, validation, exports and the README table all
come from that list.  ACLED names are used wherever a column means what ACLED's
column means.
"""

from __future__ import annotations

import dataclasses
import json
import math
import operator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.errors import ExportError

# ACLED's taxonomy (codebook 2019 and later), verbatim.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
SUB_EVENT_TYPES: dict[str, str] = {
    sub: event_type for event_type, subs in EVENT_TYPES.items() for sub in subs
}


@dataclass(frozen=True)
class Column:
    """One column of the event table."""

    name: str
    dtype: str  # a pandas dtype name
    description: str
    acled: bool = False  # True where the column means what ACLED's column of that name means
    allowed: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None


EVENT_COLUMNS: tuple[Column, ...] = (
    Column("event_id", "string", "Stable id: article id and the event's number within it."),
    Column("event_date", "string", "Day of the event, ISO `YYYY-MM-DD`.", acled=True),
    Column("time_precision", "Int64", "1 day known, 2 week or month, 3 only the article's date or less.",
           acled=True, allowed=(1, 2, 3)),
    Column("event_type", "string", "One of ACLED's six event types.", acled=True,
           allowed=tuple(EVENT_TYPES)),
    Column("sub_event_type", "string", "ACLED sub-event type of that event type.", acled=True,
           allowed=tuple(SUB_EVENT_TYPES)),
    Column("actor1", "string", "Main actor, in ACLED's naming (`geo/actors.py`), if any.", acled=True),
    Column("actor2", "string", "Second actor (target or opponent), if any.", acled=True),
    Column("location", "string", "Place the event happened at, as named in the gazetteer.", acled=True),
    Column("admin1", "string", "First-level administrative area of the location.", acled=True),
    Column("country", "string", "Country name, spelt as ACLED spells it (\"Palestine\", \"Democratic Republic of "
           "Congo\"), so the table joins with an ACLED export.", acled=True),
    Column("iso", "string", "ISO 3166-1 alpha-2 country code."),
    Column("latitude", "float64", "WGS84 latitude; empty when the place is unresolved.", acled=True,
           minimum=-90, maximum=90),
    Column("longitude", "float64", "WGS84 longitude; empty when the place is unresolved.", acled=True,
           minimum=-180, maximum=180),
    Column("geo_precision", "Int64", "1 the town itself, 2 near or part of it, 3 region or country.",
           acled=True, allowed=(1, 2, 3)),
    Column("fatalities", "Int64", "Deaths reported for this event (ACLED's conservative convention).",
           acled=True, minimum=0),
    Column("notes", "string", "The excerpt the event was read from.", acled=True),
    Column("source", "string", "Article title or publisher.", acled=True),
    Column("article_id", "string", "Id of the article (file name or the JSON id)."),
    Column("excerpt_start", "Int64", "Offset of the excerpt's first character in the article text.",
           minimum=0),
    Column("excerpt_end", "Int64", "Offset just past the excerpt's last character.", minimum=0),
    Column("geonameid", "Int64", "GeoNames id of the location, when it has one."),
    Column("place_status", "string", "`resolved`; `approximate` when the named place is not in the gazetteer "
           "and its point is borrowed from the area named around it; `unresolved` when no point was found.",
           allowed=("resolved", "approximate", "unresolved")),
    Column("confidence", "float64", "Confidence in the event type, 0 to 1.", minimum=0, maximum=1),
    Column("checked", "string", "`human` when an analyst corrected the event or its place in the dashboard "
           "(or with `newsmap correct`); empty as the machine read it.", allowed=("human",)),
)
# The place-mention table: every name recognised in an article, resolved or not
# (``newsmap places``, the store's ``places`` table, the dashboard's reader).
PLACE_COLUMN_DECLARATIONS: tuple[Column, ...] = (
    Column("article_id", "string", "Id of the article the name is in."),
    Column("start", "Int64", "Offset of the mention's first character in the article text."),
    Column("end", "Int64", "Offset just past its last character."),
    Column("text", "string", "The mention as the article writes it."),
    Column("name", "string", "The gazetteer's name of the place chosen; empty when unresolved."),
    Column("country_code", "string", "ISO 3166-1 alpha-2 code of its country."),
    Column("latitude", "float64", "WGS84 latitude of the place chosen."),
    Column("longitude", "float64", "WGS84 longitude of the place chosen."),
    Column("geonameid", "Int64", "GeoNames id of the place, when it has one."),
    Column("feature_kind", "string", "continent, country, admin1, admin2, city, capital or region."),
    Column("confidence", "float64", "Confidence in the reading chosen, 0 to 1 (a softmax over its candidates)."),
    Column("reason", "string", "Why this place was chosen, in words a reader can check."),
    Column("status", "string", "`resolved`; `approximate` when the point is borrowed from the area or town named "
           "around it; `unresolved` when no point was found.", allowed=("resolved", "approximate", "unresolved")),
)
PLACE_COLUMNS: tuple[str, ...] = tuple(c.name for c in PLACE_COLUMN_DECLARATIONS)
PLACE_DTYPES: dict[str, str] = {c.name: c.dtype for c in PLACE_COLUMN_DECLARATIONS}
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS)
ACLED_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS if c.acled)

_DEFAULTS = {"string": None, "Int64": None, "float64": math.nan}

# The dataclass row is generated from the declaration, so the two cannot drift apart.
Event = dataclasses.make_dataclass(
    "Event",
    [(c.name, object, field(default=_DEFAULTS[c.dtype])) for c in EVENT_COLUMNS],
)
Event.__doc__ = "One event row; fields are the columns of ``EVENT_COLUMNS``."
# make_dataclass names the module "types" (Python 3.12 takes module= instead): pickle could not
# find the class by name, so Dask sent the class itself with every chunk, and the rows came back
# as instances of a copy of it.
Event.__module__ = __name__
_ROW = operator.attrgetter(*COLUMN_NAMES)


def empty_frame() -> pd.DataFrame:
    """Return an event table with no rows and every column typed."""
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in EVENT_COLUMNS})


def events_frame(events) -> pd.DataFrame:
    """Turn ``Event`` rows (or dicts with the same keys) into one typed DataFrame.

    >>> len(events_frame([]))
    0
    """
    rows = event_tuples(events)
    if not rows:
        return empty_frame()
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMN_NAMES))
    return frame.astype({c.name: c.dtype for c in EVENT_COLUMNS})


def event_tuples(events) -> list[tuple]:
    """``Event`` rows (or dicts with the same keys) as tuples in ``COLUMN_NAMES`` order."""
    return [_row(e) for e in events]


def _row(event) -> tuple:
    """An ``Event`` (or a dict with some of its keys) as a tuple in column order, missing values None."""
    if isinstance(event, Event):
        # Field by field, not dataclasses.asdict: its deep copy of every value cost 0.1 ms a row.
        return _ROW(event)
    mapping = dataclasses.asdict(event) if dataclasses.is_dataclass(event) else dict(event)
    return tuple(mapping.get(name) for name in COLUMN_NAMES)


def validate(frame: pd.DataFrame) -> list[str]:
    """List every way ``frame`` breaks the declared schema (empty list when it holds)."""
    problems = []
    missing = [n for n in COLUMN_NAMES if n not in frame.columns]
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    for column in EVENT_COLUMNS:
        if column.name not in frame.columns:
            continue
        values = frame[column.name].dropna()
        if column.allowed is not None:
            bad = values[~values.isin(column.allowed)]
            if len(bad):
                problems.append(f"{column.name}: values not allowed: {sorted(set(map(str, bad)))[:5]}")
        if column.minimum is not None and len(values) and (values < column.minimum).any():
            problems.append(f"{column.name}: values below {column.minimum}")
        if column.maximum is not None and len(values) and (values > column.maximum).any():
            problems.append(f"{column.name}: values above {column.maximum}")
    return problems


def to_geojson(frame: pd.DataFrame) -> dict:
    """Return the events as a GeoJSON FeatureCollection; unresolved events get a null geometry."""
    features = []
    for record in frame.to_dict(orient="records"):
        properties = {k: _plain(v) for k, v in record.items()}
        lat, lon = properties.get("latitude"), properties.get("longitude")
        geometry = None
        if lat is not None and lon is not None:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def _plain(value):
    """Make a pandas cell JSON-serialisable (NA and NaN become None)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV injection"):
# "=HYPERLINK(...)" or "=cmd|' /C calc'!A0" in an article's title would run when an analyst
# opens the CSV. Such a text cell gets a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """A text cell as a spreadsheet will take it as text (OWASP's leading apostrophe); anything else as it is.

    >>> print(spreadsheet_text('=HYPERLINK("http://evil.example","x")'))
    '=HYPERLINK("http://evil.example","x")
    >>> spreadsheet_text("Homs"), spreadsheet_text(-3)
    ('Homs', -3)
    """
    if not isinstance(value, str):
        return value
    # A lone carriage return is left unquoted by the CSV writer and ends the row in a spreadsheet,
    # so what follows it would start a cell of its own: line breaks are written as "\n", quoted.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run neutralised; numbers stay numbers."""
    safe = frame.copy()
    for name in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[name]) or pd.api.types.is_bool_dtype(safe[name])):
            safe[name] = safe[name].map(spreadsheet_text, na_action="ignore")
    return safe


def write_csv(frame: pd.DataFrame, target) -> None:
    """The table as CSV (a path or an open text stream), safe to open in a spreadsheet."""
    spreadsheet_safe(frame).to_csv(target, index=False)


def export(frame: pd.DataFrame, path) -> Path:
    """Write the table to ``path``; the format follows the extension (.csv, .geojson/.json, .parquet)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        write_csv(frame, path)
    elif suffix in (".geojson", ".json"):
        path.write_text(json.dumps(to_geojson(frame), ensure_ascii=False), encoding="utf-8")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        raise ExportError(
            f"cannot write {path.name}: use a file name ending in .csv, .geojson or .parquet"
        )
    return path


def markdown_table(columns: tuple[Column, ...] | None = None) -> str:
    """A table's column reference as Markdown, for README (the event table by default)."""
    columns = EVENT_COLUMNS if columns is None else columns
    if columns is PLACE_COLUMN_DECLARATIONS:
        lines = ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.dtype} | {c.description} |" for c in columns]
        return "\n".join(lines)
    lines = ["| column | type | ACLED | meaning |", "|---|---|---|---|"]
    for c in columns:
        lines.append(f"| `{c.name}` | {c.dtype} | {'yes' if c.acled else ''} | {c.description} |")
    return "\n".join(lines)
