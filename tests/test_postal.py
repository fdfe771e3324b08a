"""Villages below cities500 come from GeoNames' postal places: placed where the text puts them, never at random."""

import pytest

from geo.articles import from_record
from geo.gazetteer import distance_km, load
from geo.pipeline import process_article
from geo.postal import romanize, tier_for

# ACLED's own points of these villages.
NOVOZVANIVKA = (48.5837, 38.3572)
BENITO_JUAREZ_NUEVO_LEON = (25.6513, -100.106)


@pytest.fixture(scope="module")
def gazetteer():
    return load()


def places_of(text, gazetteer):
    result = process_article(from_record({"id": "note", "text": text}, "note"), gazetteer)
    return result, {p.mention.text: p for p in result.places}


def test_a_village_the_gazetteer_lacks_is_found_by_its_ukrainian_romanization(gazetteer):
    assert not gazetteer.candidates("Novozvanivka")  # cities500 stops above it
    result, places = places_of("On 4 May 2020, shelling hit houses near Novozvanivka, Luhansk; "
                               "two civilians were wounded.", gazetteer)
    village = places["Novozvanivka"]
    assert village.status == "resolved" and "postal places" in village.reason and "Luhansk" in village.reason
    assert distance_km(village.place.latitude, village.place.longitude, *NOVOZVANIVKA) < 5
    event = result.events[0]
    assert event.location == "Novozvanivka" and event.admin1 == "Luhanska oblast"
    assert distance_km(event.latitude, event.longitude, *NOVOZVANIVKA) < 5


def test_the_area_the_text_names_overrules_a_namesake_elsewhere(gazetteer):
    _, places = places_of("On 2 May 2020, in Benito Juarez, Nuevo Leon, a man was shot dead by gunmen.", gazetteer)
    town = places["Benito Juarez"]
    assert distance_km(town.place.latitude, town.place.longitude, *BENITO_JUAREZ_NUEVO_LEON) < 25


def test_the_postal_points_accuracy_code_is_kept_in_the_reason(gazetteer):
    _, places = places_of("Explosions were heard near Novozvanivka on 4 May 2020.", gazetteer)
    assert "point accuracy 4" in places["Novozvanivka"].reason
    tier = tier_for(gazetteer)
    assert tier.accuracy(places["Novozvanivka"].place) == 4


def test_an_english_word_is_not_taken_for_a_village_of_that_name(gazetteer):
    # GeoNames has a postal place "Capitol" in the US, but the state Capitol is a building.
    assert any(p.country_code == "US" for p in tier_for(gazetteer).candidates("capitol"))
    _, places = places_of("Teachers marched on the Capitol on 2 April 2018 to demand more funding "
                          "for Oklahoma schools.", gazetteer)
    capitol = places.get("Capitol")
    assert capitol is None or "postal" not in capitol.reason


def test_a_river_is_not_the_village_of_its_name(gazetteer):
    _, places = places_of("Paddlers set off down the Neches River on Monday. The Neches forms the "
                          "boundary of Anderson County, Texas.", gazetteer)
    assert all("postal" not in p.reason for p in places.values())


@pytest.mark.parametrize("cyrillic, country, latin", [
    ("Красногорівка", "UA", "Krasnohorivka"),  # Ukraine's 2010 system: г is h, і is i
    ("Щастя", "UA", "Shchastia"),
    ("Белгород", "RU", "Belgorod"),  # BGN/PCGN for Russian: г is g
    ("Щёлково", "RU", "Shchelkovo"),
])
def test_cyrillic_names_take_their_countrys_published_romanization(cyrillic, country, latin):
    assert romanize(cyrillic, country) == latin


def test_a_village_is_looked_for_only_in_the_country_the_article_is_about(gazetteer):
    # France has a postal place "Sana"; here it is a neighbourhood in Syria, and France is named once.
    assert any(p.country_code == "FR" for p in tier_for(gazetteer).candidates("sana"))
    _, places = places_of("On 3 May 2016 an army unit clashed with gunmen who tried to move from Sana "
                          "neighborhood to Rasafa neighborhood, and shelled Douma near Damascus. Aleppo and "
                          "Homs were quiet. France condemned the shelling.", gazetteer)
    assert all(p.place is None or p.place.country_code != "FR" for name, p in places.items() if name != "France")


def test_another_spelling_of_a_syrian_town_is_read_by_its_consonants(gazetteer):
    assert not gazetteer.candidates("Maaret al-Nouman")  # GeoNames writes Ma'arrat an Nu'man
    result, places = places_of("On 3 May 2020, regime forces shelled houses in Maaret al-Nouman, in the Idlib "
                               "countryside, killing two civilians.", gazetteer)
    town = places["Maaret al-Nouman"]
    assert town.status == "resolved" and town.reason.startswith("another spelling of")
    assert distance_km(town.place.latitude, town.place.longitude, 35.648, 36.677) < 5
    assert distance_km(result.events[0].latitude, result.events[0].longitude, 35.648, 36.677) < 5


def test_a_spelling_far_from_every_town_the_article_names_is_not_taken(gazetteer):
    # "Callisburg" shares its consonants with Claysburg, Pennsylvania: 1,800 km from this Texas story.
    _, places = places_of("The school board met in Callisburg on Monday, and Cooke County commissioners met "
                          "in Gainesville, Texas.", gazetteer)
    callisburg = places["Callisburg"]
    assert "spelling" not in callisburg.reason and callisburg.place.admin1_code == "TX"
