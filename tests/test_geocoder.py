"""The offline geocoder honours geopy's contract and picks the place a reader means."""

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.gazetteer import ADMIN1, distance_km, load
from geo.geocoder import OfflineGeocoder


@pytest.fixture(scope="module")
def geocoder():
    return OfflineGeocoder(load())


def test_is_a_geopy_geocoder_returning_locations(geocoder):
    assert isinstance(geocoder, Geocoder)
    location = geocoder.geocode("Homs")
    assert isinstance(location, Location)
    assert location.raw["country_code"] == "SY" and location.raw["geonameid"]
    assert distance_km(location.latitude, location.longitude, 34.73, 36.71) < 10


def test_nothing_found_is_none_and_a_list_when_asked(geocoder):
    assert geocoder.geocode("Qwxzyville") is None
    paris = geocoder.geocode("Paris", exactly_one=False)
    assert isinstance(paris, list) and len(paris) > 3
    assert paris[0].raw["country_code"] == "FR"


@pytest.mark.parametrize("query, country, kind", [
    ("Lebanon", "LB", "country"),
    ("China", "CN", "country"),
    ("Oklahoma", "US", "admin1"),
    ("Syrian", "SY", "country"),
    ("Homs Governorate", "SY", "admin1"),
    ("Deir ez-Zor", "SY", None),
    ("Lattakia", "SY", None),
    ("Deraa", "SY", None),
])
def test_the_well_known_reading_wins(geocoder, query, country, kind):
    location = geocoder.geocode(query)
    assert location.raw["country_code"] == country
    if kind:
        assert location.raw["feature_kind"] == kind


@pytest.mark.parametrize("query, admin1", [
    ("Lebanon, Tennessee", "Tennessee"),
    ("Bangor, Maine", "Maine"),
    ("Springfield, Illinois", "Illinois"),
    ("Paris, Texas", "Texas"),
])
def test_a_named_state_decides(geocoder, query, admin1):
    location = geocoder.geocode(query)
    assert location.raw["country_code"] == "US" and location.raw["admin1"] == admin1


def test_known_country_bias(geocoder):
    assert geocoder.geocode("Tripoli").raw["country_code"] == "LY"
    assert geocoder.geocode("Tripoli", known_country="LB").raw["country_code"] == "LB"


@pytest.mark.parametrize("amount, country", [("$765,000", "US"), ("£765,000", "GB")])
def test_a_local_reports_currency_decides_a_town_with_namesakes(amount, country):
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    text = (f"Mansfield council to vote today on a {amount} financing package. The council "
            "approved repairs to the police station last month.")
    resolved = [r for r in resolve(text, toponyms.find(text, gazetteer), gazetteer) if r.mention.text == "Mansfield"]
    assert resolved and resolved[0].place.country_code == country
    if country == "US":
        assert "US dollars" in resolved[0].reason


def test_gazetteer_carries_geonames_own_points_for_countries_and_areas():
    gazetteer = load()
    # GeoNames' points, which annotated corpora use: the mean of a province's towns is far off.
    ontario = gazetteer.by_geonameid(6093943)
    assert distance_km(ontario.latitude, ontario.longitude, 49.25, -84.50) < 1
    japan = gazetteer.by_geonameid(1861060)
    assert distance_km(japan.latitude, japan.longitude, 35.69, 139.75) < 1


def test_a_town_is_read_beside_the_namesakes_of_the_other_towns_named():
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    # Chatham and Rochester, Illinois, lie beside Springfield, Illinois; no state is named.
    text = "The Springfield council met with the mayors of Chatham and Rochester on Monday."
    springfield = next(r for r in resolve(text, toponyms.find(text, gazetteer), gazetteer)
                       if r.mention.text == "Springfield")
    assert (springfield.place.country_code, springfield.place.admin1_code) == ("US", "IL")


def test_a_hyphened_arabic_article_does_not_hide_a_place_and_a_first_name_stays_a_name():
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    text = "QSD fighters clashed with IS cells in Ar-Raqqa on Monday. Al Gore spoke in Nashville."
    found = {r.mention.text: r.place for r in resolve(text, toponyms.find(text, gazetteer), gazetteer)}
    assert found["Ar-Raqqa"] is not None and found["Ar-Raqqa"].country_code == "SY"
    assert "Al Gore" not in found and "Gore" not in found
    # The end of a longer name is not a name of its own: not Zawiya, Libya, in a Syrian report.
    text = "Opposition factions destroyed a bulldozer on the Jabal al-Zawiya front in the countryside of Idleb."
    found = {r.mention.text: r.place for r in resolve(text, toponyms.find(text, gazetteer), gazetteer)}
    assert all(place is None or place.country_code == "SY" for place in found.values())


@pytest.mark.parametrize("text, name, country", [
    ("Villagers demonstrated in Thor village, Thies subdivision (Keur Moussa, Thies) on Friday.", "Thor", "SN"),
    ("An armed group was seen moving in Kompa (Karimama, Alibori).", "Kompa", "BJ"),
    ("Police beat a young man to death in Williamsville neighbourhood of Abidjan city.", "Williamsville", "CI"),
])
def test_a_place_said_to_lie_in_another_is_not_put_on_another_continent(text, name, country):
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    found = next(r for r in resolve(text, toponyms.find(text, gazetteer), gazetteer) if r.mention.text == name)
    # No namesake lies in the host's country: placed roughly at the host, and flagged so.
    assert found.place.country_code == country and found.status == "approximate"


def test_a_known_word_that_opens_a_longer_unknown_name_is_not_a_place_of_its_own():
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    text = "Heavy artillery fire was reported in Abu Salim (Tripoli). Troops entered Damascus Sunday."
    found = {r.mention.text: r for r in resolve(text, toponyms.find(text, gazetteer), gazetteer)}
    # "Abu" alone is a town in India; the name is "Abu Salim", placed roughly at Tripoli.
    assert "Abu" not in found and found["Abu Salim"].status == "approximate"
    assert found["Abu Salim"].place.country_code == found["Tripoli"].place.country_code
    assert found["Damascus"].place.country_code == "SY"  # a large place's own name stays whole


def _gold_readings(document, gazetteer):
    from geo import toponyms
    from geo.geocode import resolve

    text = document["text"]
    mentions = [toponyms.mention_at(text, g["start"], g["end"], gazetteer) for g in document["toponyms"]]
    return list(zip(document["toponyms"], resolve(text, mentions, gazetteer)))


@pytest.mark.parametrize("facility, town", [("Bambino Gesu Paediatric Hospital", "Rome"),
                                            ("Oulton Park", "Cheshire")])
def test_a_facility_is_placed_at_the_town_the_text_names_with_it(shared_bench, facility, town):
    import json

    gazetteer = load()
    lines = shared_bench("geoparse/geowebnews.jsonl").read_text(encoding="utf-8").splitlines()
    document = next(d for d in map(json.loads, lines) if f"{facility} in {town}" in d["text"]
                    or f"{facility}, {town}" in d["text"])
    gold, reading = next((g, r) for g, r in _gold_readings(document, gazetteer) if r.mention.text == facility)
    # cities500 has no hospital or race circuit: the town's point, marked approximate, saying which town.
    assert reading.status == "approximate" and town in reading.reason
    assert distance_km(reading.place.latitude, reading.place.longitude, gold["lat"], gold["lon"]) < 161


def test_a_facility_named_after_a_person_is_not_put_in_a_faraway_namesake_town():
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    text = ("NEW ORLEANS - The Faubourg Marigny lot sat empty for years. In 1970 it became the "
            "Christopher Inn, a home for the elderly. New Orleans officials visited on Monday.")
    start = text.index("Christopher Inn")
    mentions = sorted(toponyms.find(text, gazetteer) + [toponyms.mention_at(text, start, start + 15, gazetteer)],
                      key=lambda m: m.start)
    found = {r.mention.text: r for r in resolve(text, mentions, gazetteer)}
    inn, city = found["Christopher Inn"], found["New Orleans"]
    assert inn.status == "approximate" and "New Orleans" in inn.reason
    assert distance_km(inn.place.latitude, inn.place.longitude, city.place.latitude, city.place.longitude) < 25


@pytest.mark.parametrize("name, country", [("Bank of England", "GB"), ("University of California", "US"),
                                           ("Serb", "RS"), ("Sicilian", "IT"), ("Kurdish", None)])
def test_an_analyst_span_the_gazetteer_lacks_is_read_through_the_place_it_names(name, country):
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    text = f"Officials spoke of the {name} interest on Tuesday."
    start = text.index(name)
    reading = resolve(text, [toponyms.mention_at(text, start, start + len(name), gazetteer)], gazetteer)[0]
    # The place inside the name ("England") or the place the adjective is made from (Serbia, Sicily,
    # Kurdistan), not a town that happens to be named nearby or nothing at all.
    assert reading.place is not None and reading.status == "resolved"
    assert reading.place.kind != "city" and (country is None or reading.place.country_code == country)


def test_a_list_of_facilities_does_not_place_the_first_at_the_second():
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    text = ("MIAMI - He has been accepted to Florida Atlantic University, California Polytechnic State University "
            "and a college in Boca Raton.")
    spans = ["MIAMI", "Florida Atlantic University", "California Polytechnic State University", "Boca Raton"]
    mentions = [toponyms.mention_at(text, text.index(s), text.index(s) + len(s), gazetteer) for s in spans]
    found = {r.mention.text: r for r in resolve(text, mentions, gazetteer)}
    florida = found["Florida Atlantic University"].place
    assert florida is not None and florida.country_code == "US" and florida.admin1_code == "FL"


@pytest.mark.parametrize("record_id, town, not_town", [
    ("acled_more:USA40970", "Minneapolis", "Walker"),  # "outside Walker Library in Minneapolis (Minnesota)"
    ("acled_more:GBR6980", "London", "Camden"),  # "outside Camden town Hall in London - Camden (England)"
])
def test_a_town_name_that_opens_a_facilitys_is_placed_where_the_facility_is(shared_bench, record_id, town, not_town):
    import json

    from geo.articles import from_record
    from geo.pipeline import process_article

    with open(shared_bench("events/acled_more.jsonl"), encoding="utf-8") as lines:
        record = next(r for r in map(json.loads, lines) if r["id"] == record_id)
    result = process_article(from_record({"id": record_id, "text": record["text"]}, record_id))
    head = next(r for r in result.places if r.mention.text == not_town)
    assert head.status == "approximate" and town in head.reason
    [event] = result.events
    assert event.location == town and distance_km(event.latitude, event.longitude, record["lat"], record["lon"]) < 25


@pytest.mark.parametrize("text, name, country", [
    # The United States named elsewhere in the article is no reason to read Lebanon, Pennsylvania...
    ("The crown prince, who met U.S. officials this week, detained Lebanon's Prime Minister in November.",
     "Lebanon", "LB"),
    ("Sgt Tonroe was born in Manchester. He joined the U.S.-led coalition in 2016.", "Manchester", "GB"),
    # ... but the state named with it is.
    ("Police in Lebanon, Pa., arrested a man on Tuesday. The U.S. attorney said charges would follow.",
     "Lebanon", "US"),
])
def test_a_world_place_is_not_read_as_a_small_american_namesake_without_local_evidence(text, name, country):
    from geo.articles import from_record
    from geo.pipeline import process_article

    places = process_article(from_record({"id": "t", "text": text}, "t")).places
    found = [r.place for r in places if r.mention.text == name]
    assert found and found[0] is not None and found[0].country_code == country


def test_a_countrys_name_is_the_country_not_its_capital_so_spelled():
    from geo.articles import from_record
    from geo.pipeline import process_article

    text = ("Candidate Ricardo Anaya said Mexico should limit anti-terrorism cooperation. "
            "Protesters gathered in Mexico City and Guadalajara on Sunday.")
    places = process_article(from_record({"id": "t", "text": text}, "t")).places
    mexico = [r.place for r in places if r.mention.text == "Mexico"]
    assert mexico and mexico[0].kind_name == "country"


def test_a_list_of_cities_is_no_town_and_its_state():
    from geo.articles import from_record
    from geo.pipeline import process_article

    text = "After stops in Washington, New York and Boston, the crown prince flew on to Los Angeles."
    places = process_article(from_record({"id": "t", "text": text}, "t")).places
    washington = [r.place for r in places if r.mention.text == "Washington"]
    assert washington and washington[0].name == "Washington" and washington[0].kind_name == "capital"
    # A chain of areas stays a container: "Toronto, Ontario, Canada" is Toronto, Canada.
    places = process_article(from_record({"id": "t", "text": "Plant Architect Inc. of Toronto, Ontario, Canada won."},
                                         "t")).places
    assert [r.place.country_code for r in places if r.mention.text == "Toronto"] == ["CA"]


def test_two_towns_joined_by_a_hyphen_are_two_places_and_a_hyphened_name_stays_whole():
    from geo.articles import from_record
    from geo.pipeline import process_article

    def named(text):
        return [(r.mention.text, r.place.country_code if r.place else None)
                for r in process_article(from_record({"id": "t", "text": text}, "t")).places]

    assert named("Police chased the gang on the Nairobi-Nyeri highway on Monday.") == [("Nairobi", "KE"),
                                                                                        ("Nyeri", "KE")]
    assert named("Shots were fired in Winston-Salem and in Guinea-Bissau.") == [("Winston-Salem", "US"),
                                                                               ("Guinea-Bissau", "GW")]


@pytest.mark.parametrize("text, name, province", [
    ("The new office opened in Nelson, BC, on Monday.", "BC", "British Columbia"),
    ("Two hours away, on the other side of the B.C. border, Valemount waits.", "B.C.", "British Columbia"),
    ("Rangers patrol the shore near Newcastle, NSW, every spring.", "NSW", "New South Wales"),
    ("Police in Halifax, N.S., said the road was closed.", "N.S.", "Nova Scotia"),
    ("The mayor of Mississauga, ON, spoke.", "ON", "Ontario")])
def test_canadian_and_australian_provinces_written_short_are_found_and_placed(text, name, province):
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    found = {r.mention.text: r for r in resolve(text, toponyms.find(text, gazetteer), gazetteer)}
    assert found[name].place.name == province and found[name].place.kind == ADMIN1


def test_a_year_before_christ_and_a_capitalised_on_are_no_province():
    from geo import toponyms

    gazetteer = load()
    text = "The walls were built in 500 BC. TURN ON THE LIGHTS, the sign said in Toronto."
    assert [m.text for m in toponyms.find(text, gazetteer)] == ["Toronto"]


@pytest.mark.parametrize("text, name, place, country", [
    ("Police found them in the English city of Salisbury.", "English", "England", "GB"),
    ("The agent was developed by the Soviet Union in the 1970s.", "Soviet Union", "Russia", "RU"),
    ("The T&T mission in Washington objected.", "T&T", "Trinidad and Tobago", "TT"),
    ("Rue Casa Calvo in New Orleans was renamed.", "Rue Casa Calvo", "New Orleans", "US")])
def test_an_analyst_span_names_the_nation_the_successor_state_or_the_street_s_town(text, name, place, country):
    from geo import toponyms
    from geo.geocode import resolve

    gazetteer = load()
    start = text.index(name)
    mentions = sorted([m for m in toponyms.find(text, gazetteer) if not start <= m.start < start + len(name)]
                      + [toponyms.mention_at(text, start, start + len(name), gazetteer)], key=lambda m: m.start)
    reading = next(r for r in resolve(text, mentions, gazetteer) if r.mention.text == name)
    # Not English, Indiana; not a town of Moscow for a state gone since 1991; not Rue in France.
    assert reading.place.name == place and reading.place.country_code == country
