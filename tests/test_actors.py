"""Actor names in ACLED's naming, from the shipped data/actor_names.json (no corpus needed)."""

from geo.actors import actors, normalise_actor


def test_named_actor_is_actor1():
    text = "On 3 May 2020, Al Shabaab militants attacked a military base in Bulo Marer (Lower Shabelle)."
    assert actors(text, "Battles", "Armed clash", "Somalia")[0] == "Al Shabaab"


def test_protest_gives_protesters_of_the_country_and_no_actor2():
    text = "On 9 May 2020, students protested in Nairobi against the closure of universities."
    assert actors(text, "Protests", "Peaceful protest", "Kenya") == ("Protesters (Kenya)", None)


def test_villagers_killed_by_gunmen():
    text = "On 2 June 2021, gunmen killed two villagers in Zurmi (Zamfara)."
    first, second = actors(text, "Violence against civilians", "Attack", "Nigeria")
    assert (first, second) == ("Unidentified Armed Group (Nigeria)", "Civilians (Nigeria)")


def test_gazetteer_country_name_is_written_as_acled_writes_it():
    text = "On 4 April 2021, demonstrators gathered in Goma."
    assert actors(text, "Protests", "Peaceful protest", "Democratic Republic of the Congo")[0] == \
        "Protesters (Democratic Republic of Congo)"


def test_no_text_or_no_type_gives_no_actors():
    assert actors("", "Battles", None, "Syria") == (None, None)
    assert actors("Soldiers clashed with rebels.", None, None, "Syria") == (None, None)


def test_normalise_actor_drops_case_spacing_and_year_range():
    assert normalise_actor("Military Forces of  Nigeria (2015-2023)") == "military forces of nigeria"
    assert normalise_actor("Military Forces of Syria (2000-)") == "military forces of syria"
    assert normalise_actor("NA") == normalise_actor(None) == ""


def test_the_army_near_a_bomb_is_its_target_unless_the_text_says_it_planted_it():
    # ACLED codes 4% of its IED, grenade and suicide-bomb records with a state force as actor1.
    text = ("On 4 May 2021, in Hlaingbwe town (Hpa-an district, Kayin State), a bomb exploded near a "
            "military checkpoint; no injuries were reported.")
    assert actors(text, "Explosions/Remote violence", "Remote explosive/landmine/IED", "Myanmar") == \
        ("Unidentified Armed Group (Myanmar)", "Military Forces of Myanmar (2021-)")
    planted = "On 5 May 2021, a landmine planted by the military killed a farmer near Hlaingbwe."
    assert actors(planted, "Explosions/Remote violence", "Remote explosive/landmine/IED", "Myanmar")[0] == \
        "Military Forces of Myanmar (2021-)"


def test_the_army_beside_a_bomb_that_hit_nobody_is_not_its_target():
    # ACLED leaves actor2 empty when the text names a state force near a blast but not as what it hit.
    text = ("On 15 August 2021, in Monywa town (Sagaing region), there was an explosion near the town clock "
            "tower that the military was securing. Casualties unknown.")
    assert actors(text, "Explosions/Remote violence", "Remote explosive/landmine/IED", "Myanmar") == \
        ("Unidentified Armed Group (Myanmar)", None)


def test_an_armed_groups_name_tells_the_countries_it_acts_in():
    from geo.actors import actor_countries

    homes = actor_countries("Suspected JNIM militants ambushed a convoy.")
    assert max(homes, key=homes.get) == "BF" and "ML" in homes
    assert "ET" in actor_countries("TPLF fighters shelled the town.")
    # A word that only goes with an actor in ACLED's notes ("active conflict") says nothing of where.
    assert actor_countries("The active conflict continued.") == {}


def test_a_note_placed_nowhere_names_its_crowd_for_the_country_its_proper_words_point_to():
    from geo.articles import from_record
    from geo.pipeline import process_article

    text = "On 19 May 2023, Awami League activists attacked BNP supporters after a rally, injuring 12."
    events = process_article(from_record({"id": "t", "text": text}, "t")).events
    assert events and events[0].event_type == "Riots"
    assert events[0].actor1 == "Rioters (Bangladesh)"


def test_a_pair_of_actors_is_written_in_the_order_acled_writes_it():
    # ACLED writes Ethiopia's army before the TPLF in battles, whichever the note names first.
    text = "Around 10 January 2021, clashes between TPLF forces and the ENDF continued in central Tigray."
    assert actors(text, "Battles", "Armed clash", "Ethiopia") == ("Military Forces of Ethiopia (2018-)",
                                                                  "TPLF: Tigray Peoples Liberation Front")


def test_two_groups_acled_cannot_tell_apart_take_its_joint_name():
    text = "On 11 January 2020, suspected JNIM and/or ISGS militants attacked marketgoers in Solle."
    assert actors(text, "Violence against civilians", "Attack", "Burkina Faso")[0] == (
        "JNIM: Group for Support of Islam and Muslims and/or Islamic State (Greater Sahara)")
