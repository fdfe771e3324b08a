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
from geo.actors import acled_country, acting_country, actors, worded_country
from geo.dates import event_date
from geo.event_model import is_note_style
from geo.gazetteer import ADMIN1, ADMIN2, CAPITAL, CITY, WIDE_KINDS, Gazetteer, distance_km
from geo.geocode import Resolved
from geo.numbers import fatalities
from geo.sentences import sentence_starts
from geo.table import SUB_EVENT_TYPES, Event
from geo.vocabulary import (
    AREA_PARTS,
    COMPASS_POINTS,
    COUNTRY_WIDE_LOCATIVES,
    EVENT_LOCATIVES,
    EVENT_PLACE_NOUNS,
    MONTH_NAMES,
    NEAR_LOCATIVES,
    RELATIVE_DAYS,
    TERRITORY_NOUNS,
    WEEKDAYS,
    alternation,
)

# Cross-validated on both event corpora, 0.15 against 0.2: type macro F1 +0.2 points on ACLED
# notes and +1.4 on CASE snippets; CASE non-events rejected 0.929 -> 0.920.
MIN_CONFIDENCE = 0.15
# A passage whose only toll is cumulative ("an estimated 2,700 since March") is context, unless
# the classifier is this sure it reports an event ("three civilians were killed in airstrikes
# over the past 48 hours"); kept, its cumulative toll still does not count.
BACKGROUND_EVENT_CONFIDENCE = 0.5
VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
MAX_PASSAGE = 600
# "in the northern ", "district of ": what may stand right before an event's place.
_LOCATIVE = re.compile(r"(?:\b" + alternation(EVENT_LOCATIVES) + r"\s+(?:the\s+)?(?:" + alternation(AREA_PARTS)
                       + r"[a-z-]*\s+)?|\b" + alternation(EVENT_PLACE_NOUNS) + r"\s+of\s+)$", re.I)
# Where a speaker lives or reports from is not where the event happened; nor is the country that
# bans a group ("Daesh (banned in Russia)", as Russian agencies write each time they name it).
_RESIDENCE = re.compile(r"\b(?:lives?|living|based|exiled?|resident|reporting|speaking|headquartered|banned|"
                        r"outlawed|prohibited|proscribed)\s+(?:in|from)\s+(?:the\s+)?$", re.I)
# ACLED codes fighting between two armed sides as a battle, even when artillery was used in it.
_FIGHTING = re.compile(r"\b(?:clash(?:es|ed)?|fighting|fought|battles?|battled|gun ?battles?|firefights?|"
                       r"exchanges? of fire|armed confrontation|skirmish(?:es)?)\b", re.I)
_CROWD = re.compile(r"\b(?:protest|demonstrat|rioter|riot|mob|march|rall(?:y|ies)|strike)", re.I)
FIGHTING_OVERRIDE_BELOW = 0.5
# Towns do not carry their admin-2 code here: a district's namesake town must lie this close to
# the district's point (districts are rarely wider).
AREA_TOWN_KM = 60
_NEAR = re.compile(r"\b(?:" + alternation(NEAR_LOCATIVES) + "|" + alternation(COMPASS_POINTS) + r" of"
                   r"|(?:km|kilometres|kilometers|miles) " + alternation(COMPASS_POINTS) + r"\w* of)\s+(?:the\s+)?$",
                   re.I)

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
        for boundary in sentence_starts(chunk):
            found.append(_trimmed(text, offset + start, offset + boundary))
            start = boundary
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


@dataclass
class Draft:
    """An event as the passages told it so far: made by the first passage, bettered by the next ones."""

    passage: Passage  # the surest passage: the event's type, sub-type, actors and excerpt
    prediction: event_model.Prediction
    place: Resolved | None
    geo_precision: int  # ACLED's: 1 the town, 2 near it or its district, 3 a region or country
    day: str | None  # ISO date, None when nothing dates the event
    time_precision: int  # ACLED's: 1 the day, 2 the week, 3 the month
    fatalities: int | None = None  # None: no toll told

    def take_passage(self, passage: Passage, prediction) -> None:
        """The surer of two passages about one event tells its type and gives its excerpt."""
        if prediction.confidence > self.prediction.confidence:
            self.passage, self.prediction = passage, prediction

    def take_date(self, day: str | None, time_precision: int) -> None:
        """The more precise of two dates stands; of two as precise, the earlier."""
        if (time_precision, day or "") < (self.time_precision, self.day or ""):
            self.day, self.time_precision = day, time_precision

    def add_toll(self, value: int) -> None:
        """Reports repeat the toll ("10 dead" in the lede, "10 killed" below): the largest stands."""
        self.fatalities = max(self.fatalities or 0, value)

    def absorb(self, restatement: Draft) -> None:
        """Take what a restatement of the event tells better: place, passage, toll, date."""
        if _closeness(restatement) < _closeness(self):
            self.place, self.geo_precision = restatement.place, restatement.geo_precision
        self.take_passage(restatement.passage, restatement.prediction)
        if restatement.fatalities is not None:
            self.add_toll(restatement.fatalities)
        self.take_date(restatement.day, restatement.time_precision)


def _closeness(draft: Draft) -> tuple[int, int]:
    """How closely a draft places its event, smaller is closer: ACLED's precision, then a province
    before a country ("the southern city of Daraa" read as the governorate still beats "Syria")."""
    place = draft.place.place if draft.place is not None else None
    return draft.geo_precision, 2 if place is None or place.kind in WIDE_KINDS else 1 if place.kind == ADMIN1 else 0


def extract(article, resolved: list[Resolved], gazetteer: Gazetteer, classified=None,
            reading: str | None = None) -> list[Event]:
    """The events of one article, each with its own excerpt; background statistics left out.

    ``classified`` is the article's item of ``classify_articles``, when a caller batched it;
    ``reading`` the text as recognition read it (``geo.truecase``), when it differs from the article's.
    """
    units, predictions = classified or classify_articles([article.text])[0]
    text = reading or article.text
    # The dateline says where the reporter is, not where anything happened.
    dateline = _dateline_end(article.text, resolved)  # wire datelines are in capitals: read the article's own
    resolved = _after_dateline(resolved, dateline)
    # A coder's note is one passage opening with its date; an article is news even when it opens with one.
    news = len(units) > 1 or not is_note_style(article.text)
    drafts = _drafts(article, text, units, predictions, resolved, dateline, news)
    kept = _one_per_event(_deeds_where_nothing_else(drafts), _home_country(resolved)) if news else drafts
    return [_event(article, number, draft, gazetteer, text) for number, draft in enumerate(kept, start=1)]


def _drafts(article, text: str, units: list[Passage], predictions: list, resolved: list[Resolved],
            dateline: int, news: bool) -> list[Draft]:
    """One draft per event type and place, in the order the passages first tell them."""
    main_place = _main_place(resolved)
    home = _home_country(resolved)
    countries = Counter(r.place.country_code for r in resolved if r.place is not None)
    drafts: dict[tuple, Draft] = {}
    previous_place = None  # the last town or area a passage named, with its precision
    last_violent = last_battle = None
    for unit, prediction in zip(units, predictions):
        seen = text[unit.start:unit.end]
        inside = [r for r in resolved if unit.start <= r.mention.start and r.mention.end <= unit.end]
        place, precision = _event_place(text, unit, inside, home, countries)
        if place is not None and place.place is not None and place.place.kind not in WIDE_KINDS:
            previous_place = (place, precision)
        prediction = _coded(seen, _deed_told(seen, prediction, news, lone=len(units) == 1), news)
        if news and not _reported_as_news(article, unit, seen, prediction, len(units) > 1):
            prediction = NOT_AN_EVENT
        if prediction.event_type is None or prediction.confidence < MIN_CONFIDENCE:
            # A toll reported on its own ("So far we have 10 killed," he said) belongs to the
            # violent event just described. (Most passages are no event: their tolls are read only here.)
            count = fatalities(seen) if last_violent is not None and place is None else None
            if count is not None and not count.background:
                # The toll of a fight is the battle's, whatever else was reported in between.
                (last_battle or last_violent).add_toll(count.value)
            continue
        count = fatalities(seen)
        if count is not None and count.background and prediction.confidence < BACKGROUND_EVENT_CONFIDENCE:
            continue
        if place is None:
            place, precision = previous_place or main_place or (None, 3)
        else:
            place, precision = _narrowed(text, unit, place, precision, prediction, previous_place, main_place)
        # The dateline's date is the report's, not the event's.
        day, time_precision = event_date(text[max(unit.start, dateline):unit.end], article.published)
        draft = _add_passage(drafts, Draft(unit, prediction, place, precision, day, time_precision), count)
        if prediction.event_type in VIOLENT_TYPES:
            last_violent = draft
            if prediction.event_type == "Battles":
                last_battle = draft
    return list(drafts.values())


def _narrowed(text: str, unit: Passage, place: Resolved, precision: int, prediction, previous_place, main_place):
    """The place of a violent event told at a country or wider: the town just named in it, if any.

    "in northeast Syria" after "in Hasaka" is the town's event; "across Syria" stays the country's.
    """
    if place.place is None or place.place.kind not in WIDE_KINDS or prediction.event_type not in VIOLENT_TYPES \
            or _COUNTRY_WIDE.search(text, max(unit.start, place.mention.start - 25), place.mention.start):
        return place, precision
    nearer = previous_place or (main_place if main_place and main_place[1] < 3 else None)
    if nearer is not None and nearer[0].place.country_code == place.place.country_code:
        return nearer[0], 2
    return place, precision


def _add_passage(drafts: dict[tuple, Draft], told: Draft, count) -> Draft:
    """The draft of an event type at a place, made or bettered by what one passage ``told`` of it."""
    key = (told.prediction.event_type, told.place.place.index if told.place and told.place.place else None)
    draft = drafts.get(key)
    if draft is None:
        draft = drafts[key] = told
    else:
        draft.take_passage(told.passage, told.prediction)
        draft.take_date(told.day, told.time_precision)
    if count is not None and not count.background:
        draft.add_toll(count.value)
    return draft


_COUNTRY_WIDE = re.compile(r"\b" + alternation(COUNTRY_WIDE_LOCATIVES) + r"\s+(?:the\s+)?$", re.I)
NOT_AN_EVENT = event_model.Prediction(None, None, 1.0, event_model.NON_ACLED)
# News passages need more of the classifier than coder notes, which are all events: most passages
# of an article are background.
MIN_NEWS_CONFIDENCE = 0.2
LONE_DEED_SHARE = 0.4
# "SAN SALVADOR, 3 JAN 90 --", "BEIRUT (AP) —": a place name, maybe a date, maybe the agency, a dash;
# or a bare date stamp, "Fri 07 Apr 2017 at 0914".
_DATELINE = re.compile(r"\A\s*(?:[^\n]{0,160}\n+\s*)??(?:[A-Z][A-Z.'’ -]{1,40}(?:,[\w.' ]{1,40}){0,2}\s*"
                       r"(?:\([\w. ]{1,20}\)\s*)?(?:--|—|–|-\s)|"
                       + alternation(day[:3].capitalize() for day in WEEKDAYS)
                       + r"\w*\.?,? \d{1,2} \w+\.? \d{4}(?: at \d{3,4}\b)?)")
_STAMPED_DATELINE = re.compile(r"[^\n]{0,60}?\d\s+([A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]{2,}){0,2})(?=\s+[A-Z])")
# A protest is people protesting, not a mention of protesters ("soldiers who refused to fire on protesters").
_PROTEST_ACTION = re.compile(
    r"\b(?:protest(?:ed|ing|s)?\b|took to the streets|(?:demonstrat|rall(?:y|ied|ies)|march(?:ed|es|ing)\b|"
    r"sit-?in|gather|picket|(?:on|general|hunger|labou?r|workers'?|national|nationwide) strikes?\b|strikers|"
    r"striking (?:workers|teachers|doctors|nurses|miners|drivers)|walk(?:ed)? ?out|chant|boycott|riot|mob\b|looted|torched|"
    r"set (?:ablaze|fire)|threw (?:stones|rocks)|stormed|march\b|parade|blockad|barricad|blocked (?:the |a |access)|"
    r"crowded))", re.I)
# A riot is a crowd's violence: mob violence needs no protest, only the deed ("villagers attacked
# the customs post", "supporters of one candidate assaulted another").
_MOB_ACTION = re.compile(
    r"\b(?:attack(?:ed|ing)?|assault(?:ed|ing)?|clash(?:ed|es)?|skirmish\w*|ransack\w*|destroy(?:ed|ing)|vandali[sz]\w*|"
    r"beat(?:en|ing)?|lynch\w*|stoned|burn(?:ed|t)|broke (?:into|windows)|forced their way|raid(?:ed)?|"
    r"post-election violence|violence (?:erupted|broke out))\b", re.I)
# Plans, threats, expectations and history are not what happened.
_NOT_HAPPENED = re.compile(
    r"\b(?:will|would|could|might|plans? to|planned|planning|threaten\w* to|expected to|vow\w* to|"
    r"intend\w* to|ready to|is to|are to|set to|since (?:the )?(?:war|conflict|uprising|crisis|revolution|start|"
    r"beginning|19\d\d|20\d\d)|in (?:19|20)\d\d|in (?:early |late |mid-?)?" + alternation(MONTH_NAMES) + r" (?:19|20)\d\d|"
    r"(?:almost |nearly )?every day|(?:almost |nearly )?daily basis|routinely|(?:conflict|war|violence|fighting|uprising|crisis|insurgency)"
    r" (?:has|have|had) (?:killed|claimed|left|displaced))\b", re.I)
# A cumulative toll or the war's start tells the story so far, whatever else the passage says.
_STORY_SO_FAR = re.compile(
    r"\b(?:(?:has|have) (?:so far )?(?:killed|claimed the lives of|left) (?:more than|over|nearly|almost|about|"
    r"around|some|an estimated|at least|tens of|hundreds of)|since the (?:war|conflict|uprising|crisis|revolution)"
    r" (?:began|started|erupted)|(?:began|started|erupted) in (?:\w+ )?(?:19|20)\d\d|"
    r"\blast (?:month|year)\b|earlier this year|(?:has|have) since (?:evolved|turned|become|grown|escalated|spiralled|spiraled|descended)|"
    r"(?:more than|over|at least|nearly|some) [\d,.]+ (?:million )?people have (?:been|since been) killed)", re.I)
_HAPPENED = re.compile(
    r"\b(?:" + alternation(RELATIVE_DAYS) + "|on " + alternation(WEEKDAYS)
    + r"|killed|wounded|injured|attacked|clashed|exploded|detonated|fired|shelled|bombed|stormed|seized|"
    r"captured|kidnapped|abducted|arrested|protested|demonstrated|marched|rallied|gathered|took to the streets|"
    r"held|staged|continued|erupted|broke out|blocked|launched)\b",
    re.I)


def _after_dateline(resolved: list[Resolved], dateline: int) -> list[Resolved]:
    """The places of the body; a name placed only by borrowing the dateline's point is left unplaced."""
    body = [r for r in resolved if r.mention.start >= dateline]
    if not dateline:
        return body
    datelined = {r.place.index for r in resolved if r.mention.start < dateline and r.place is not None}
    named_in_body = {r.place.index for r in body if r.place is not None and not r.approximate}
    borrowed = datelined - named_in_body
    return [replace(r, place=None, approximate=False) if r.approximate and r.place is not None
            and r.place.index in borrowed else r for r in body]


def _dateline_end(text: str, resolved: list[Resolved] = ()) -> int:
    """Where the article's dateline ends (0 when it has none)."""
    found = _DATELINE.match(text[:260])
    if found:
        return found.end()
    # "Last updated at Jun 142016 BEIRUT A Daesh counterattack": a stamp, then the reporter's city in
    # capitals with no dash; capitals after a stamp may also be a group ("ISIL fighters"), so the
    # place must be one the article's places resolved.
    stamped = _STAMPED_DATELINE.match(text[:160])
    if stamped and any(r.place is not None and r.mention.start == stamped.start(1) for r in resolved):
        return stamped.end()
    return 0


def _reported_as_news(article, unit: Passage, text: str, prediction, has_body: bool = True) -> bool:
    """Whether a news passage reports an event that happened, as opposed to headline, plan or background."""
    if prediction.event_type is None:
        return True
    if prediction.confidence < MIN_NEWS_CONFIDENCE:
        return False
    # The headline restates what the body reports; alone it is no event.
    if has_body and unit.start == 0 and article.title and len(unit.text) <= 160 and unit.text.rstrip()[-1:] not in ".!?\"”":
        return False
    if prediction.event_type in ("Protests", "Riots") and not _PROTEST_ACTION.search(text) and not (
            prediction.event_type == "Riots" and _MOB_ACTION.search(text)):
        return False
    if _STORY_SO_FAR.search(text):
        return False
    return not (_NOT_HAPPENED.search(text) and not _HAPPENED.search(text))


def _one_per_event(drafts: list[Draft], home: str | None = None) -> list[Draft]:
    """One draft per real event: restatements of one type in one area merge; a strategic development
    told beside a violent event or a protest at the same place is its restatement.
    """
    merged: list[Draft] = []
    for draft in drafts:
        same = next((kept for kept in merged if kept.prediction.event_type == draft.prediction.event_type
                     and _same_area(kept.place, draft.place)), None)
        if same is None:
            merged.append(draft)
        else:
            same.absorb(draft)
    merged = _civilians_of_strikes(_vague_violence_placed(merged, home))
    others = [d for d in merged if d.prediction.event_type != "Strategic developments"]
    return [d for d in merged if d.prediction.event_type != "Strategic developments"
            or not any(_same_area(d.place, other.place) for other in others)]


def _vague_violence_placed(drafts: list[Draft], home: str | None = None) -> list[Draft]:
    """Violence told only at a country ("air raids kill 11 civilians in east Syria") is the violent
    event the article places in that country, whatever type each passage was given: the lead tells
    vaguely what the body places. It merges there, at the earlier of the two positions. Told at
    another country than the one the article is about ("Turkey condemns the chemical attack"),
    it is the article's violent event told by a speaker or an actor from there."""
    merged = list(drafts)
    for draft in drafts:
        if draft.prediction.event_type not in VIOLENT_TYPES or not _vague(draft.place) or draft not in merged:
            continue
        country = draft.place.place.country_code if draft.place and draft.place.place else None
        if country is not None and home is not None and country != home:
            country = home
        host = next((other for other in merged if other is not draft and other.prediction.event_type in VIOLENT_TYPES
                     and not _vague(other.place) and (country is None or other.place.place.country_code == country)),
                    None)
        if host is None:
            continue
        host.absorb(draft)
        at = min(merged.index(draft), merged.index(host))
        merged.remove(draft)
        merged.remove(host)
        merged.insert(at, host)
    return merged


def _vague(place: Resolved | None) -> bool:
    return place is None or place.place is None or place.place.kind in WIDE_KINDS


def _civilians_of_strikes(drafts: list[Draft]) -> list[Draft]:
    """Civilians killed by a strike, shelling or a battle told in the same area are that event's toll:
    ACLED codes the strike, not a second attack on civilians."""
    kept = []
    for draft in drafts:
        prediction = draft.prediction
        host = None
        if prediction.event_type == "Violence against civilians" and prediction.sub_event_type == "Attack":
            host = next((other for other in drafts if other.prediction.event_type in _CIVILIANS_HOSTS
                         and _same_area(other.place, draft.place, within_admin1=False)
                         and draft.day in (None, other.day)), None)
        if host is None:
            kept.append(draft)
        elif draft.fatalities is not None:
            host.add_toll(draft.fatalities)
    return kept


_CIVILIANS_HOSTS = ("Explosions/Remote violence", "Battles")


def _same_area(first: Resolved | None, second: Resolved | None, within_admin1: bool = True) -> bool:
    """Whether two event places may be one place told twice: the same place, or one of them only
    country-wide (or placeless), or (``within_admin1``) the same admin-1 area."""
    if first is None or second is None or first.place is None or second.place is None:
        return True
    a, b = first.place, second.place
    if a.index == b.index:
        return True
    if a.country_code != b.country_code:
        return False
    if a.kind in WIDE_KINDS or b.kind in WIDE_KINDS:
        return True  # "across Syria" and "in Rastan": the country-wide report may be the town's
    return within_admin1 and bool(a.admin1_code) and a.admin1_code == b.admin1_code


def _deeds_where_nothing_else(drafts: list[Draft]) -> list[Draft]:
    """The events only ``_deed_told`` found stand where the article has no other: beside the events
    the classifier itself found they are mostly restatements and comment ("Russia denies involvement",
    "the opposition said the attack ...": FA-KES 2.33 events an article -> 2.44 with them)."""
    plain = [draft for draft in drafts if not _told_as_deed(draft.prediction)]
    return plain or drafts


def _told_as_deed(prediction) -> bool:
    return prediction.event_type is not None and prediction.event_share > 0.0


def _deed_told(text: str, prediction, news: bool, lone: bool):
    """In news, a passage that tells a violent deed ("the home was machinegunned", "a bomb exploded")
    is an event when the ACLED types together hold enough of the classifier's belief, though its
    single likeliest label is a non-event one.

    Wire copy reads unlike the notes the classifier learnt from: its attacks come out "news background"
    at 0.5 to 0.6. The event is the likeliest ACLED sub-type, at the share all ACLED types hold. A lone
    passage needs more (``LONE_DEED_SHARE``): CASE's held-out crime and disaster snippets were taken for
    events at the article's threshold (non-events rejected 0.846 -> 0.654), whole BBC articles were not.
    """
    needed = LONE_DEED_SHARE if lone else MIN_NEWS_CONFIDENCE
    if (news and prediction.event_type is None and prediction.alternative
            and prediction.event_share >= needed and _DEED.search(text)):
        return event_model.Prediction(SUB_EVENT_TYPES[prediction.alternative], prediction.alternative,
                                      prediction.event_share, prediction.alternative, None, prediction.event_share)
    return prediction


def _coded(text: str, prediction, news: bool = False):
    """The classifier's type, with ACLED's rule for fighting applied where the classifier is unsure.

    Fighting between armed sides is a battle even when shells fell during it; a text about
    crowds (protests, riots) is left to the classifier. In news, where "a battle for second place"
    is sport, the rule only retypes what the classifier took for an event.
    """
    if (prediction.confidence < FIGHTING_OVERRIDE_BELOW and _FIGHTING.search(text)
            and (prediction.event_type is not None or not news)
            and not _CROWD.search(text)):
        prediction = replace(prediction, event_type="Battles", sub_event_type="Armed clash",
                             confidence=max(prediction.confidence, MIN_CONFIDENCE))
    # A bomb defused or a missile shot down is no explosion: ACLED codes it as disrupted weapons use.
    if prediction.event_type == "Explosions/Remote violence" and _DISRUPTED.search(text) \
            and not _WENT_OFF.search(text):
        prediction = replace(prediction, event_type="Strategic developments", sub_event_type="Disrupted weapons use")
    return _refined(text, prediction)


_DEED = re.compile(r"\b(?:bomb(?:ed|ing)|dynamit\w*|explo(?:ded|sion)|blew up|machine-?gunned|shot|fired on|"
                   r"kill(?:ed|ing)|murder(?:ed)?|assassinat\w*|massacred?|kidnap(?:ped|ping)|abduct(?:ed|ion)|"
                   r"attack(?:ed)?|ambush(?:ed)?|set (?:fire|ablaze)|burn(?:ed|t)|torched|wounded|injured)\b", re.I)
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
            r"gained) (?:full |total )?(?:control (?:of|over)|the "
            + alternation(TERRITORY_NOUNS) + ")", re.I)),
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


def _event_place(text: str, unit: Passage, inside: list[Resolved], home: str | None = None,
                 countries: Counter | None = None):
    """The place a passage names for its event, and ACLED's geo precision for it."""
    located = [r for r in inside if r.place is not None]
    if not located:
        return (inside[0], 3) if inside else (None, 3)
    # A town abroad named once, in an article whose places lie in one country, is more often a
    # namesake of a word ("Levant", Maine; "Mon", Myanmar) than the event's place.
    located = [r for r in located if not _stray(r, home, countries)]
    if not located:
        return None, 3

    located = [r for r in located if not _where_someone_is(text, unit, r)]
    # A country's name that qualifies a noun ("US dollar", "UAE ship") names a thing or an actor,
    # not where the event was: a protest over the dollar is not in the US.  A demonym ("Lebanese
    # protesters") more often is the event's own country, and stays a rough place.
    qualifiers = [r for r in located if _qualifies(text, unit, r, home)]
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
        names_a_site = bool(_SITE_AFTER.match(text, r.mention.end) or _PAIRED_SITE.match(text, r.mention.end))
        # A province beats its country however each is introduced ("in Syrias Quneitra").
        return (not demonym, after_locative and specific and not names_a_site, specific,
                r.place.kind not in WIDE_KINDS, after_locative, r.place.country_code == home, -r.mention.start)

    best = max(located, key=rank)
    before = text[max(unit.start, best.mention.start - 40):best.mention.start]
    if best.place.kind in WIDE_KINDS | {ADMIN1}:
        precision = 3
    elif _NEAR.search(before) or best.place.kind == ADMIN2 or best.approximate:
        precision = 2
    else:
        precision = 1
    return best, precision


_QUALIFIED_NOUN = re.compile(r"[ -][a-z]")
_ARMED_NOUN = re.compile(r"(?:-led)?\s+(?:(?:war|fighter|military)\s*)?(?:air ?strikes?|air ?raids?|raids?|strikes?|jets?|"
                         r"planes?|aircraft|drones?|helicopters?|forces|troops|army|soldiers|military|navy|"
                         r"artillery|shelling|missiles?|rockets?|tanks?|bombardments?|bombing|gunboats?)\b", re.I)
_SITE_AFTER = re.compile(r"[ -](?:avenue|ave\b|road|rd\b|street|st\b|boulevard|blvd|highway|motorway|bridge|square|"
                         r"river|roundabout|junction|crossing|complex|market|mosque|church|hospital|school|university|"
                         r"college|stadium|airport|prison|building|hotel|park)\b", re.I)
# The first town of a road between two ("the Nairobi-Mombasa highway ... in Voi") is no more the
# event's place than the second.
_PAIRED_SITE = re.compile(r"-[A-Z][\w'’]*(?: [A-Z][\w'’]*)?" + _SITE_AFTER.pattern)


# "the defence ministry in Moscow said": where a speaker sits, not where the event was.
_SPEAKER_BEFORE = re.compile(r"\b(?:ministry|office|officials?|spokes(?:man|men|woman|person)|sources?|agency|"
                             r"embassy|authorities|headquarters|command|observatory|monitor)\s+in\s+(?:the\s+)?$", re.I)
_SAID_AFTER = re.compile(r"\s*,?\s+(?:said|says|told|reported|announced|stated|claimed|added)\b", re.I)


def _where_someone_is(text: str, unit: Passage, r: Resolved) -> bool:
    """A place named as where someone lives or is based, or where a speaker sits, not the event's."""
    if _RESIDENCE.search(text[max(unit.start, r.mention.start - 30):r.mention.start]):
        return True
    return bool(_SPEAKER_BEFORE.search(text, max(unit.start, r.mention.start - 40), r.mention.start)
                and _SAID_AFTER.match(text, r.mention.end))


def _stray(r: Resolved, home: str | None, countries: Counter | None) -> bool:
    """A specific place in a country the article names nowhere else, while its home country leads."""
    if home is None or not countries or r.by_analyst or r.place.kind in WIDE_KINDS or r.place.country_code == home:
        return False  # an analyst's choice stands wherever it lies
    return countries[r.place.country_code] <= 1 and countries[home] >= 3


def _qualifies(text: str, unit: Passage, r: Resolved, home: str | None = None) -> bool:
    """A country's name used as a qualifier of the noun after it, not after a locative; or, in a
    report about another country, a people's name before an armed force or its weapons ("Israeli
    raids", "Russian jets" in Syria): the side that acted, not where."""
    if r.place.kind not in WIDE_KINDS:
        return False
    if r.mention.cue == "demonym":
        return home is not None and r.place.country_code != home and bool(_ARMED_NOUN.match(text, r.mention.end))
    before = text[max(unit.start, r.mention.start - 40):r.mention.start]
    return not _LOCATIVE.search(before) and bool(_QUALIFIED_NOUN.match(text, r.mention.end))


def _representative_town(place: Resolved, gazetteer: Gazetteer):
    """The town an area is coded by: its namesake town within it, as ACLED codes an area by a town.

    "a protest in Mogilev" read as Mogilev Oblast is placed at the city of Mogilev, the oblast's
    seat, not at the oblast's centre; an area with no namesake town keeps its own point.
    """
    area = place.place
    if area.kind not in (ADMIN1, ADMIN2) or place.by_analyst:
        return area  # an area an analyst chose stays that area
    towns = [town for town in (gazetteer.posted(code) for code in place.mention.codes)
             if town.kind in (CITY, CAPITAL) and town.country_code == area.country_code
             and town.admin1_code == area.admin1_code]
    if area.kind == ADMIN2:
        towns = [town for town in towns
                 if distance_km(area.latitude, area.longitude, town.latitude, town.longitude) <= AREA_TOWN_KM]
    return max(towns, key=lambda town: town.population) if towns else area


def _actors_home(text: str, gazetteer: Gazetteer) -> str | None:
    """For an event the article places nowhere: the country the actors it names mostly act in, else
    the one its proper words point to ("Awami League" is Bangladesh's)."""
    code = acting_country(text) or worded_country(text)
    return acled_country(gazetteer.country_name(code)) if code else None


def _event(article, number: int, draft: Draft, gazetteer: Gazetteer, text: str) -> Event:
    unit, prediction, place = draft.passage, draft.prediction, draft.place
    chosen = _representative_town(place, gazetteer) if place is not None and place.place is not None else None
    # ACLED's spelling of the country, so that the table joins with an ACLED export.
    country = acled_country(gazetteer.country_name(chosen.country_code)) if chosen and chosen.country_code else None
    admin1 = None
    if chosen is not None and chosen.kind not in WIDE_KINDS:
        admin1 = chosen.name if chosen.kind == ADMIN1 else gazetteer.admin1_name(chosen.country_code, chosen.admin1_code)
    actor1, actor2 = actors(text[unit.start:unit.end], prediction.event_type, prediction.sub_event_type,
                            country or _actors_home(text, gazetteer))
    return Event(
        event_id=f"{article.article_id}#{number}",
        event_date=draft.day,
        time_precision=draft.time_precision,
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
        geo_precision=draft.geo_precision,
        fatalities=draft.fatalities if draft.fatalities is not None else 0,
        notes=unit.text,
        source=article.title,
        article_id=article.article_id,
        excerpt_start=unit.start,
        excerpt_end=unit.end,
        geonameid=chosen.geonameid if chosen and chosen.geonameid else None,
        place_status=place.status if place is not None else "unresolved",
        confidence=round(float(prediction.confidence), 3),
    )
