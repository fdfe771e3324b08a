"""Article text made safe for the page: Markdown shown literally, and the article reader's HTML.

Article text, file names and place names are untrusted. Everything here escapes them, so the
dashboard can show them through Streamlit's Markdown and HTML without any of them becoming a
link, an image or a script. Nothing here knows about Streamlit either.
"""

from __future__ import annotations

import html
import re

import pandas as pd

# Characters that change how the text around them is shown without showing themselves: bidi
# overrides, embeddings and isolates ("invoice\u202eTXT.exe" shows as "invoiceexe.TXT"), and
# zero-width ones. Shown, they are a visible code point, so what a reader sees is what is there.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def shown(text: str) -> str:
    """``text`` for display, with bidi controls and zero-width characters made visible.

    >>> shown("invoice\u202eTXT.exe")
    'invoice⟨U+202E⟩TXT.exe'
    """
    return INVISIBLE.sub(lambda found: f"⟨U+{ord(found.group()):04X}⟩", text)


def shown_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for display, its text cells passed through ``shown`` (exports keep the text exact)."""
    copy = frame.copy()
    for name in copy.columns:
        if copy[name].dtype == object or pd.api.types.is_string_dtype(copy[name]):
            copy[name] = copy[name].map(lambda v: shown(v) if isinstance(v, str) else v, na_action="ignore")
    return copy


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&])")


def literal(text: str) -> str:
    r"""``text`` escaped for Streamlit's Markdown (labels, alerts, captions), so it shows as written.

    File names, error messages and place names come from articles and from the network: a
    link or an image in them must not become one.

    >>> print(literal("![x](http://tracker/x.png) *Homs*"))
    \!\[x\]\(http://tracker/x\.png\) \*Homs\*
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", shown(str(text)))


def highlight_places(text: str, places: pd.DataFrame, excerpt: tuple[int, int] | None = None,
                     part: slice = slice(None)) -> str:
    """The article as HTML: every piece of text escaped, each place mention wrapped in ``<mark>``.

    ``excerpt`` (start, end), the passage an event was read from, is set apart in a
    ``<span class="newsmap-excerpt">``; a mention that crosses its edge is left unmarked.
    ``part`` (a slice of ``text``) shows only that part, offsets staying the article's.

    ``places`` needs ``start`` and ``end`` offsets into ``text``, and may have a
    ``status`` (approximate mentions are marked in orange, unresolved ones in grey) and
    ``name``, ``country_code`` and ``reason``, shown as the mark's tooltip.  Overlapping
    mentions keep the first.  Line breaks become ``<br>`` so the result is one line,
    which Markdown renderers take as a raw HTML block instead of parsing the article as
    Markdown.

    >>> places = pd.DataFrame({"start": [0], "end": [4], "status": ["resolved"]})
    >>> highlight_places("Homs <b>", places)
    '<div class="newsmap-article"><mark>Homs</mark> &lt;b&gt;</div>'
    """
    first, last, _ = part.indices(len(text))
    places = places[(places["start"] >= first) & (places["end"] <= last)]
    if excerpt is not None:
        start, end = max(first, int(excerpt[0])), min(last, int(excerpt[1]))
        if start < end:
            inside = places[(places["start"] >= start) & (places["end"] <= end)]
            outside = places[(places["end"] <= start) | (places["start"] >= end)]
            before = _marked(text, outside[outside["end"] <= start], first, start)
            middle = _marked(text, inside, start, end)
            after = _marked(text, outside[outside["start"] >= end], end, last)
            return (f'<div class="newsmap-article">{before}<span class="newsmap-excerpt" '
                    f'style="{_EXCERPT_STYLE}">{middle}</span>{after}</div>')
    return '<div class="newsmap-article">' + _marked(text, places, first, last) + "</div>"


_EXCERPT_STYLE = "background: #eef4fb; box-shadow: -4px 0 0 #4a90d9"


def _marked(text: str, places: pd.DataFrame, first: int, last: int) -> str:
    """``text[first:last]`` escaped, with the mentions of ``places`` (all within it) marked."""
    pieces = []
    position = first
    for mention in places.sort_values(["start", "end"]).itertuples(index=False):
        start, end = int(mention.start), int(mention.end)
        if start < position or end <= start or end > last:
            continue
        status = getattr(mention, "status", "resolved")
        attributes = _MARK_STYLES.get(status, "")
        name = getattr(mention, "name", None)
        if isinstance(name, str):
            country = getattr(mention, "country_code", None)
            where = f"{name}, {country}" if isinstance(country, str) and country else name
            reason = getattr(mention, "reason", None)
            attributes += f' title="{html.escape(shown(where + (": " + reason if isinstance(reason, str) else "")))}"'
        elif status == "unresolved":
            attributes += ' title="not found in the gazetteer"'
        pieces += [_escape(text[position:start]), f"<mark{attributes}>", _escape(text[start:end]), "</mark>"]
        position = end
    pieces.append(_escape(text[position:last]))
    return "".join(pieces)


_MARK_STYLES = {"unresolved": ' style="background: #ddd"', "approximate": ' style="background: #fdd9a8"'}


def _escape(text: str) -> str:
    return html.escape(shown(text)).replace("\n", "<br>")
