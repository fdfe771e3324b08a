"""Events in an article: type, date, fatalities, actors and place, one row per event.

The article is cut into passages (paragraphs, long ones into sentences); the learned
classifier (``geo.event_model``) gives each passage an ACLED type or none; rules read the
date, the count of the dead and the place the passage names.  Passages about the same
type of event at the same place merge into one event.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from geo import event_model
from geo.dates import event_date
from geo.gazetteer import ADMIN1, ADMIN2, CAPITAL, CITY, WIDE_KINDS, Gazetteer, distance_km
from geo.geocode import Resolved
from geo.numbers import fatalities
from geo.table import Event

# Cross-validated on both event corpora, 0.15 against 0.2: type macro F1 +0.2 points on ACLED
# notes and +1.4 on CASE snippets; CASE non-events rejected 0.929 -> 0.920.
MIN_CONFIDENCE = 0.15
# A passage whose only toll is cumulative ("an estimated 2,700 since March") is context, unless
# the classifier is this sure it reports an event ("three civilians were killed in airstrikes
# over the past 48 hours"); kept, its cumulative toll still does not count.
BACKGROUND_EVENT_CONFIDENCE = 0.5
VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
MAX_PASSAGE = 600
_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|Lt|Co|vs))(?<!\bMrs)[.!?][\"”’)]?\s+(?=[\"“(]?[A-Z0-9])")
_LOCATIVE = re.compile(r"(?:\b(?:in|at|near|outside|into|on|around|across|inside|toward|towards)\s+(?:the\s+)?"
                       r"|\b(?:city|town|village|district|province|region|area|outskirts|governorate|county|"
                       r"neighbou?rhood|commune|municipality)\s+of\s+)$", re.I)
# Where a speaker lives or reports from is not where the event happened.
_RESIDENCE = re.compile(r"\b(?:lives?|living|based|exiled?|resident|reporting|speaking|headquartered)\s+"
                        r"(?:in|from)\s+(?:the\s+)?$", re.I)
# ACLED codes fighting between two armed sides as a battle, even when artillery was used in it.
_FIGHTING = re.compile(r"\b(?:clash(?:es|ed)?|fighting|fought|battles?|battled|gun ?battles?|firefights?|"
                       r"exchanges? of fire|armed confrontation|skirmish(?:es)?)\b", re.I)
_CROWD = re.compile(r"\b(?:protest|demonstrat|rioter|riot|mob|march|rall(?:y|ies)|strike)", re.I)
FIGHTING_OVERRIDE_BELOW = 0.5
# Towns do not carry their admin-2 code here: a district's namesake town must lie this close to
# the district's point (districts are rarely wider).
AREA_TOWN_KM = 60
_NEAR = re.compile(r"\b(?:near|outside|close to|outskirts of|north of|south of|east of|west of|"
                   r"(?:km|kilometres|kilometers|miles) (?:north|south|east|west)\w* of)\s+(?:the\s+)?$", re.I)

# Actor names follow ACLED's pattern for state forces and crowds where the text allows it.
_FORCES = re.compile(r"\b(troops|army|soldiers|military|forces|police|policemen|security forces)\b", re.I)
_CROWDS = {"Protests": "Protesters", "Riots": "Rioters"}


@dataclass(frozen=True)
class Passage:
    """A stretch of article text read as one unit."""

    start: int
    end: int
    text: str


def passages(text: str) -> list[Passage]:
    """Paragraphs of the text, with paragraphs over ``MAX_PASSAGE`` characters cut into sentences."""
    found = []
    for paragraph in re.finditer(r"[^\n]+", text):
        chunk = paragraph.group()
        if not chunk.strip():
            continue
        offset = paragraph.start()
        if len(chunk) <= MAX_PASSAGE:
            found.append(_trimmed(text, offset, offset + len(chunk)))
            continue
        start = 0
        for boundary in _SENTENCE_END.finditer(chunk):
            found.append(_trimmed(text, offset + start, offset + boundary.end()))
            start = boundary.end()
        if start < len(chunk):
            found.append(_trimmed(text, offset + start, offset + len(chunk)))
    return [p for p in found if p.text]


def _trimmed(text: str, start: int, end: int) -> Passage:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Passage(start, end, text[start:end])


def classify_articles(texts: list[str]) -> list[tuple[list[Passage], list]]:
    """Each text's passages and their predictions, classified in one call.

    The classifier is cheaper in bulk: its fixed costs per call are shared by all the texts.
    """
    split = [passages(text) for text in texts]
    predictions = event_model.classify_many([unit.text for units in split for unit in units])
    result, start = [], 0
    for units in split:
        result.append((units, predictions[start:start + len(units)]))
        start += len(units)
    return result


def extract(article, resolved: list[Resolved], gazetteer: Gazetteer, classified=None) -> list[Event]:
    """The events of one article, each with its own excerpt; background statistics left out.

    ``classified`` is the article's item of ``classify_articles``, when a caller batched it.
    """
    units, predictions = classified or classify_articles([article.text])[0]
    main_place = _main_place(resolved)
    home = _home_country(resolved)
    drafts: dict[tuple, dict] = {}
    order = []
    previous_place = None
    last_violent: dict = {}
    for unit, prediction in zip(units, predictions):
        inside = [r for r in resolved if unit.start <= r.mention.start and r.mention.end <= unit.end]
        place, precision = _event_place(article.text, unit, inside, home)
        if place is not None and place.place is not None and place.place.kind not in WIDE_KINDS:
            previous_place = (place, precision)
        prediction = _coded(unit.text, prediction)
        if prediction.event_type is None or prediction.confidence < MIN_CONFIDENCE:
            # A toll reported on its own ("So far we have 10 killed," he said) belongs to the
            # violent event just described. (Most passages are no event: their tolls are read only here.)
            count = fatalities(unit.text) if last_violent and place is None else None
            if count is not None and not count.background:
                # The toll of a fight is the battle's, whatever else was reported in between.
                target = last_violent.get("Battles") or last_violent["last"]
                target["fatalities"] = max(target["fatalities"] or 0, count.value)
            continue
        count = fatalities(unit.text)
        if count is not None and count.background and prediction.confidence < BACKGROUND_EVENT_CONFIDENCE:
            continue
        if place is None:
            place, precision = previous_place or main_place or (None, 3)
        day, time_precision = event_date(unit.text, article.published)
        key = (prediction.event_type, place.place.index if place and place.place else None)
        draft = drafts.get(key)
        if draft is None:
            draft = drafts[key] = {"unit": unit, "prediction": prediction, "place": place,
                                   "precision": precision, "fatalities": None, "date": (day, time_precision)}
            order.append(key)
        elif prediction.confidence > draft["prediction"].confidence:
            draft["unit"], draft["prediction"] = unit, prediction
        if (time_precision, day or "") < (draft["date"][1], draft["date"][0] or ""):
            draft["date"] = (day, time_precision)
        if count is not None and not count.background:
            # Reports repeat the toll ("10 dead" in the lede, "10 killed" below): the largest stands.
            draft["fatalities"] = max(draft["fatalities"] or 0, count.value)
        if prediction.event_type in VIOLENT_TYPES:
            last_violent = {"last": draft, **({"Battles": draft} if prediction.event_type == "Battles" else
                                              {"Battles": last_violent.get("Battles")} if last_violent else {})}
    return [_event(article, number, drafts[key], gazetteer) for number, key in enumerate(order, start=1)]


def _coded(text: str, prediction):
    """The classifier's type, with ACLED's rule for fighting applied where the classifier is unsure.

    Fighting between armed sides is a battle even when shells fell during it; a text about
    crowds (protests, riots) is left to the classifier.
    """
    if (prediction.confidence < FIGHTING_OVERRIDE_BELOW and _FIGHTING.search(text)
            and not _CROWD.search(text)):
        prediction = replace(prediction, event_type="Battles", sub_event_type="Armed clash",
                             confidence=max(prediction.confidence, MIN_CONFIDENCE))
    # A bomb defused or a missile shot down is no explosion: ACLED codes it as disrupted weapons use.
    if prediction.event_type == "Explosions/Remote violence" and _DISRUPTED.search(text) \
            and not _WENT_OFF.search(text):
        prediction = replace(prediction, event_type="Strategic developments", sub_event_type="Disrupted weapons use")
    return _refined(text, prediction)


_DISRUPTED = re.compile(r"\b(?:defus\w*|dismantl\w*|disarm\w*|intercept\w*|shot down|neutrali[sz]\w*|"
                        r"bomb disposal|safely detonated|controlled (?:explosion|detonation))\b", re.I)
_WENT_OFF = re.compile(r"\b(?:explod\w*|went off|killed|killing|wounded|wounding|injur\w*|dead|died)\b", re.I)


# ACLED's rarer sub-types, from the codebook's definitions: a few examples each in any training
# set, too few for the classifier, but said in set words.  Each refines the sub-type within the
# event type the classifier gave; the type itself is never changed here.
_ARMED_STATE = r"(?:army|troops|soldiers|military|government|regime|security|state|national|police|forces)"
_REFINEMENTS: dict[str, tuple[tuple[str, re.Pattern], ...]] = {
    "Battles": (
        ("Government regains territory", re.compile(
            _ARMED_STATE + r"\b[^.;]{0,80}?\b(?:regain\w*|recaptur\w*|retook|retaken|re-?took|liberat\w*|"
            r"(?:re-?establish|restor)\w* (?:their |its |full )?control)", re.I)),
        ("Non-state actor overtakes territory", re.compile(
            r"\b(?:militants?|rebels?|insurgents?|fighters|militias?|jihadists?|al[- ]shabaa?b|taliban|"
            r"boko haram|armed groups?|(?-i:IS|ISIS|ISWAP|JNIM))\b[^.;]{0,80}?\b(?:took|taken|seized|captured|overran|"
            r"gained) (?:full |total )?(?:control (?:of|over)|the (?:town|city|village|district|base|area|"
            r"locality|camp))", re.I)),
    ),
    "Explosions/Remote violence": (
        ("Suicide bomb", re.compile(r"\bsuicide (?:bomb\w*|attack\w*|car|vest|belt|blast)|\bblew (?:him|her)self "
                                    r"up|\bself-detonat\w*", re.I)),
        ("Chemical weapon", re.compile(r"\b(?:chemical (?:weapons?|attack|agent)|chlorine|sarin|nerve agent|"
                                       r"toxic gas|mustard gas)\b", re.I)),
        ("Grenade", re.compile(r"\bgrenade\b(?! launcher)", re.I)),
    ),
    "Protests": (
        ("Excessive force against protesters", re.compile(
            r"\b(?:killed|shot dead|shot and killed|live (?:ammunition|bullets|rounds|fire))\b", re.I)),
    ),
    "Strategic developments": (
        ("Headquarters or base established", re.compile(
            r"\b(?:establish\w*|set(?:ting)? up|sets up|built|opened) (?:a |an |new |their |its )?(?:\w+ ){0,2}"
            r"(?:base|headquarters|HQ|outpost|military camp)s?\b", re.I)),
        ("Non-violent transfer of territory", re.compile(
            r"\b(?:withdr[ae]w\w*|pulled out|handed over|hand over|retreated)\b[^.;]{0,80}?"
            r"\b(?:without (?:a |any )?(?:fight|fighting|resistance|clash\w*)|peacefully|took over|control)", re.I)),
    ),
}


def _refined(text: str, prediction):
    """The prediction with a rarer sub-type of its own event type where the text says it in set words."""
    for sub_type, pattern in _REFINEMENTS.get(prediction.event_type, ()):
        if pattern.search(text):
            return replace(prediction, sub_event_type=sub_type)
    return prediction


def _main_place(resolved: list[Resolved]):
    """The article's main place: the most often named town or area, else the most named country."""
    tally: dict[int, list] = {}
    for r in resolved:
        if r.place is None:
            continue
        weight = 1.0 if r.place.kind not in WIDE_KINDS else 0.4
        entry = tally.setdefault(r.place.index, [0.0, r])
        entry[0] += weight
    if not tally:
        return None
    _, best = max(tally.values(), key=lambda e: e[0])
    return best, 3 if best.place.kind in WIDE_KINDS | {ADMIN1} else 1


def _home_country(resolved: list[Resolved]) -> str | None:
    """The country the article's places lie in most often, if one leads."""
    ranked = Counter(r.place.country_code for r in resolved
                     if r.place is not None and r.place.country_code).most_common(2)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def _event_place(text: str, unit: Passage, inside: list[Resolved], home: str | None = None):
    """The place a passage names for its event, and ACLED's geo precision for it."""
    located = [r for r in inside if r.place is not None]
    if not located:
        return (inside[0], 3) if inside else (None, 3)

    located = [r for r in located if not _RESIDENCE.search(text[max(unit.start, r.mention.start - 30):r.mention.start])]
    # A country's name that qualifies a noun ("US dollar", "UAE ship") names a thing or an actor,
    # not where the event was: a protest over the dollar is not in the US.  A demonym ("Lebanese
    # protesters") more often is the event's own country, and stays a rough place.
    qualifiers = [r for r in located if _qualifies(text, unit, r)]
    if qualifiers and len(qualifiers) == len(located):
        unplaced = [r for r in inside if r.place is None]
        return (unplaced[0], 3) if unplaced else (None, 3)
    located = [r for r in located if r not in qualifiers]
    if not located:
        return None, 3

    def rank(r: Resolved):
        before = text[max(unit.start, r.mention.start - 40):r.mention.start]
        after_locative = bool(_LOCATIVE.search(before))
        specific = r.place.kind not in WIDE_KINDS | {ADMIN1}
        demonym = r.mention.cue == "demonym"
        # "on the Bolivar Avenue in Maracay": a street named after a place is not where the
        # locative points. A site stays a specific place ("a Kabul mosque" is in Kabul).
        names_a_site = bool(_SITE_AFTER.match(text, r.mention.end))
        return (not demonym, after_locative and specific and not names_a_site, specific, after_locative,
                r.place.country_code == home, -r.mention.start)

    best = max(located, key=rank)
    before = text[max(unit.start, best.mention.start - 40):best.mention.start]
    if best.place.kind in WIDE_KINDS | {ADMIN1}:
        precision = 3
    elif _NEAR.search(before) or best.place.kind == ADMIN2:
        precision = 2
    else:
        precision = 1
    return best, precision


_QUALIFIED_NOUN = re.compile(r"[ -][a-z]")
_SITE_AFTER = re.compile(r"[ -](?:avenue|ave\b|road|rd\b|street|st\b|boulevard|blvd|highway|motorway|bridge|square|"
                         r"river|roundabout|junction|crossing|complex|market|mosque|church|hospital|school|university|"
                         r"college|stadium|airport|prison|building|hotel|park)\b", re.I)


def _qualifies(text: str, unit: Passage, r: Resolved) -> bool:
    """A country's name used as a qualifier of the noun after it, not after a locative."""
    if r.place.kind not in WIDE_KINDS or r.mention.cue == "demonym":
        return False
    before = text[max(unit.start, r.mention.start - 40):r.mention.start]
    return not _LOCATIVE.search(before) and bool(_QUALIFIED_NOUN.match(text, r.mention.end))


def _actors(text: str, event_type: str, country: str | None, resolved: list[Resolved]) -> tuple[str | None, str | None]:
    demonym = next((r.place.name for r in resolved if r.mention.cue == "demonym" and r.place), None)
    actor1 = None
    if event_type in _CROWDS:
        actor1 = f"{_CROWDS[event_type]} ({country})" if country else _CROWDS[event_type]
    forces = _FORCES.search(text)
    if forces and (demonym or country):
        name = "Police Forces" if "police" in forces.group(1).lower() else "Military Forces"
        state = f"{name} of {demonym or country}"
        if actor1 is None:
            actor1 = state
        elif event_type in ("Protests", "Riots"):
            return actor1, state
    return actor1, None


def _representative_town(place: Resolved, gazetteer: Gazetteer):
    """The town an area is coded by: its namesake town within it, as ACLED codes an area by a town.

    "a protest in Mogilev" read as Mogilev Oblast is placed at the city of Mogilev, the oblast's
    seat, not at the oblast's centre; an area with no namesake town keeps its own point.
    """
    area = place.place
    if area.kind not in (ADMIN1, ADMIN2) or place.by_analyst:
        return area  # an area an analyst chose stays that area
    towns = [town for town in (gazetteer.place(code >> 1) for code in place.mention.codes)
             if town.kind in (CITY, CAPITAL) and town.country_code == area.country_code
             and town.admin1_code == area.admin1_code]
    if area.kind == ADMIN2:
        towns = [town for town in towns
                 if distance_km(area.latitude, area.longitude, town.latitude, town.longitude) <= AREA_TOWN_KM]
    return max(towns, key=lambda town: town.population) if towns else area


def _event(article, number: int, draft: dict, gazetteer: Gazetteer) -> Event:
    unit, prediction, place = draft["unit"], draft["prediction"], draft["place"]
    chosen = _representative_town(place, gazetteer) if place is not None and place.place is not None else None
    country = gazetteer.country_name(chosen.country_code) if chosen and chosen.country_code else None
    admin1 = None
    if chosen is not None and chosen.kind not in WIDE_KINDS:
        admin1 = chosen.name if chosen.kind == ADMIN1 else gazetteer.admin1_name(chosen.country_code, chosen.admin1_code)
    resolved_here = [place] if place is not None else []
    actor1, actor2 = _actors(unit.text, prediction.event_type, country, resolved_here)
    day, time_precision = draft["date"]
    return Event(
        event_id=f"{article.article_id}#{number}",
        event_date=day,
        time_precision=time_precision,
        event_type=prediction.event_type,
        sub_event_type=prediction.sub_event_type,
        actor1=actor1,
        actor2=actor2,
        location=chosen.name if chosen else (place.mention.text if place else None),
        admin1=admin1,
        country=country,
        iso=chosen.country_code if chosen else None,
        latitude=chosen.latitude if chosen else float("nan"),
        longitude=chosen.longitude if chosen else float("nan"),
        geo_precision=draft["precision"],
        fatalities=draft["fatalities"] if draft["fatalities"] is not None else 0,
        notes=unit.text,
        source=article.title,
        article_id=article.article_id,
        excerpt_start=unit.start,
        excerpt_end=unit.end,
        geonameid=chosen.geonameid if chosen and chosen.geonameid else None,
        place_status=place.status if place is not None else "unresolved",
        confidence=round(float(prediction.confidence), 3),
    )
