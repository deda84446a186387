"""`dyad actors import-petrarch`: PETRARCH/TABARI dictionaries -> a dyad actor file.

The small dictionaries here are written for these tests (invented places and people); the
real PETRARCH validation dictionaries are only read from ../shared when present.
"""

import datetime as dt

import pytest
import yaml

from dyad.cli import main
from dyad.lexicon import load_lexicon
from dyad.lexicon.petrarch import (
    FAR_PAST,
    detect_kind,
    display_phrase,
    import_petrarch,
    parse_date,
)

from .conftest import shared_file

ACTORS = """\
<!-- TEST ACTORS: written for dyad's tests -->
<!-- a header comment
     over two lines -->
VALDORIA [VAL]   # a plain country-like actor
+VALDORIAN
+VALDORIANS
KESTREL_REPUBLIC_ [KES] <!-- inline comment -->
+KESTREL
NORTHERN_WATCH [KESMIL]
HARBOUR_COUNCIL  [IGOHBC]
MARA_VOSS  # a person with several offices
+VOSS
\t[KES <050301]
\t[KESGOV 20050301-20100115]
\t[KESELI >20100115]
TOMAS_REIN [VAL]   # default code, one dated office
\t[VALGOV 20120101-20121231]
ORLEN_PIKE
\t[VALREB 19980101-20031231]
\t[VALMIL 20000101-20011231]
OLD_ENVOY [---]
TWIN_CITIES [VAL/KES]
lowercase_land [lwr]
BAD_CODE [ABCDE]
BROKEN [VAL
[VAL]
SOLO_ENTRY
+[VALGOV 20200101-20201231]
"""

AGENTS = """\
<!-- TEST AGENTS -->
!GUARD! = GUARD, GUARDS, GUARDSMAN
HARBOUR_PATROL {} [~COP]   # no plural
COAST_!GUARD! [~MIL]
ENVOY {ENVOYS_EXTRAORDINARY} [~GOV]
DEPUTY_ENVOY [~GOVDEP]
WELFARE_BODY [NGO~]
CHESS_CLUB [~XYZ]
PLAIN [GOV]
NO_CODE_HERE
RIVER!UNDEFINED! [~GOV]
HARBOUR_PATROL [~MIL]
"""

DISCARDS = """\
# sentence and story discards
SPORTS ROUNDUP
+HOROSCOPE
"""


@pytest.fixture
def dicts(tmp_path):
    a = tmp_path / "test.actors.txt"
    a.write_text(ACTORS, encoding="utf-8")
    g = tmp_path / "test.agents.txt"
    g.write_text(AGENTS, encoding="utf-8")
    d = tmp_path / "test.discards.txt"
    d.write_text(DISCARDS, encoding="utf-8")
    return a, g, d


def _by_name(entries):
    return {e["name"]: e for e in entries}


def test_dates_follow_tabari_conventions():
    assert parse_date("20050301") == dt.date(2005, 3, 1)
    assert parse_date("050301") == dt.date(2005, 3, 1)
    assert parse_date("300101") == dt.date(2030, 1, 1)
    assert parse_date("310101") == dt.date(1931, 1, 1)
    with pytest.raises(ValueError):
        parse_date("2005031")


def test_display_phrase():
    assert display_phrase(["KESTREL", "REPUBLIC"]) == "Kestrel Republic"
    assert display_phrase(["GROUP", "OF", "77"]) == "Group of 77"
    assert display_phrase(["THE", "AU"]) == "the AU"
    assert display_phrase(["U.N."]) == "U.N."
    assert display_phrase(["IMF"]) == "IMF"
    assert display_phrase(["USSR"]) == "USSR"
    assert display_phrase(["AL-QAEDA"]) == "Al-Qaeda"


def test_kind_is_detected_from_name_or_content(tmp_path):
    assert detect_kind("x/My.Actors.txt", "") == "actors"
    assert detect_kind("x/agents.txt", "") == "agents"
    assert detect_kind("x/d.txt", "POLICE [~COP]\n") == "agents"
    assert detect_kind("x/d.txt", "!P! = A, B\nX!P! [GOV]\n") == "agents"
    assert detect_kind("x/d.txt", "VALDORIA [VAL]\n") == "actors"
    assert detect_kind("x/d.txt", "SPORTS\n+WEATHER\n") == "discards"
    assert detect_kind("x/d.txt", "--- GRANT [070] ---\nGIVE\n") == "verbs"


def test_actors_map_to_organisations_and_people(dicts):
    result = import_petrarch(dicts[:1])
    orgs = _by_name(result.organisations)
    assert orgs["Valdoria"] == {
        "code": "VAL",
        "name": "Valdoria",
        "aliases": ["Valdorian", "Valdorians"],
        "country": "VAL",
        "kind": "other",
    }
    assert orgs["Kestrel Republic"]["aliases"] == ["Kestrel"]  # trailing '_' dropped
    assert orgs["Northern Watch"]["code"] == "KESMIL"
    assert orgs["Northern Watch"]["country"] == "KES"
    assert orgs["Harbour Council"]["country"] is None  # IGO prefix: no country
    assert orgs["Harbour Council"]["kind"] == "igo"
    assert orgs["Lowercase Land"]["code"] == "LWR"
    assert orgs["Twin Cities"]["code"] == "VAL"  # first of a compound code

    people = _by_name(result.people)
    voss = people["Mara Voss"]
    assert voss["aliases"] == ["Voss"]
    assert voss["country"] == "KES"
    assert [(o["code"], o["start"], o["end"]) for o in voss["offices"]] == [
        ("KES", FAR_PAST, dt.date(2005, 2, 28)),  # '<' is strictly before
        ("KESGOV", dt.date(2005, 3, 1), dt.date(2010, 1, 15)),  # ranges include both ends
        ("KESELI", dt.date(2010, 1, 16), None),  # '>' is strictly after
    ]
    assert all(o["title"] == "imported" for o in voss["offices"])
    # the undated code fills the time around the dated ones
    rein = people["Tomas Rein"]["offices"]
    assert [(o["code"], o["start"], o["end"]) for o in rein] == [
        ("VAL", FAR_PAST, dt.date(2011, 12, 31)),
        ("VALGOV", dt.date(2012, 1, 1), dt.date(2012, 12, 31)),
        ("VAL", dt.date(2013, 1, 1), None),
    ]
    # overlapping ranges: the first line wins, as in PETRARCH
    pike = people["Orlen Pike"]["offices"]
    assert [(o["code"], o["start"], o["end"]) for o in pike] == [
        ("VALREB", dt.date(1998, 1, 1), dt.date(2003, 12, 31))
    ]
    # a code line may also start with '+'
    solo = people["Solo Entry"]
    assert solo["country"] == "VAL"
    assert [(o["code"], o["start"]) for o in solo["offices"]] == [("VALGOV", dt.date(2020, 1, 1))]


def test_nothing_is_lost_silently(dicts):
    result = import_petrarch(dicts)
    text = "\n".join(str(w) for w in result.warnings)
    actors, agents, discards = (str(p) for p in dicts)
    for expected in (
        f"{actors}:21: code ---",  # PETRARCH's null code
        f"{actors}:22: compound code VAL/KES",
        f"{actors}:23: code 'lwr' upper-cased",
        f"{actors}:24: code ABCDE is not made of 3-character segments",
        f"{actors}:25: cannot read 'BROKEN [VAL'",
        f"{actors}:26: '[VAL]' does not follow",
        f"{agents}:7: [NGO~] puts the role before the actor code",
        f"{agents}:9: agent code [GOV] has no '~'",
        f"{agents}:10: agent 'NO_CODE_HERE' has no [code]",
        f"{agents}:11: substitution set !UNDEFINED! is not defined",
        f"{agents}:12: 'harbour patrol' is already COP (line 3); MIL ignored",
        f"{discards}:2: sentence discard 'SPORTS ROUNDUP' not imported",
        f"{discards}:3: story discard 'HOROSCOPE' not imported",
    ):
        assert expected in text, f"missing warning {expected!r} in:\n{text}"
    assert all(w.line for w in result.warnings)


def test_agents_map_to_roles(dicts):
    result = import_petrarch(dicts[1:2])
    assert result.roles["COP"] == ["harbour patrol"]
    assert result.roles["MIL"] == ["coast guard", "coast guards", "coast guardsman"]
    # irregular plurals are kept; regular ones are left to dyad's lemmatiser
    assert result.roles["GOV"][:2] == ["envoy", "envoys extraordinary"]
    # users' role codes need not be CAMEO's: PETRARCH's own codes come along
    assert result.roles["GOVDEP"] == ["deputy envoy"]
    assert result.roles["NGO"] == ["welfare body"]
    assert "XYZ" in result.roles


def test_cli_writes_a_file_that_loads(dicts, tmp_path, capsys):
    out = tmp_path / "imported.yaml"
    rc = main(["actors", "import-petrarch", *map(str, dicts), "-o", str(out)])
    _, err = capsys.readouterr()
    assert rc == 0, err
    assert "dyad: imported 6 organisations, 4 people" in err
    assert "warning: " in err and ":22: compound code" in err
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert set(doc) == {"organisations", "people", "roles"}
    lex = load_lexicon([out])
    voss = next(p for p in lex.people if p.name == "Mara Voss")
    assert voss.code_on(dt.date(2007, 6, 1)) == "KESGOV"
    assert voss.code_on(dt.date(2001, 6, 1)) == "KES"
    assert voss.code_on(dt.date(2020, 6, 1)) == "KESELI"
    # --strict turns warnings into a failing exit status
    assert main(["actors", "import-petrarch", str(dicts[0]), "-o", str(out), "--strict"]) == 1


def test_cli_reports_unreadable_input(tmp_path, capsys):
    rc = main(["actors", "import-petrarch", str(tmp_path / "missing.txt"), "-o", "x.yaml"])
    _, err = capsys.readouterr()
    assert rc == 1
    assert "cannot read PETRARCH dictionary" in err and "Traceback" not in err


@pytest.mark.slow
def test_imported_actors_are_used_by_the_coder(dicts, tmp_path, coder):
    import dyad

    out = tmp_path / "imported.yaml"
    assert main(["actors", "import-petrarch", *map(str, dicts[:2]), "-o", str(out)]) == 0
    c = dyad.load(actors=[str(out)])
    text = "Valdorian troops crossed into Kestrel. Mara Voss condemned the attack."
    found = {m.actor.text: m.actor.code for m in c.find_actors(text, "2007-05-01")}
    assert found["Valdorian troops"] == "VALMIL"
    assert found["Kestrel"] == "KES"
    assert found["Mara Voss"] == "KESGOV"


def test_real_petrarch_validation_dictionaries_import(tmp_path, capsys):
    actors = shared_file("dev", "PETR.Validate.actors.txt")
    agents = shared_file("dev", "PETR.Validate.agents.txt")
    out = tmp_path / "petr.yaml"
    assert main(["actors", "import-petrarch", str(actors), str(agents), "-o", str(out)]) == 0
    capsys.readouterr()
    lex = load_lexicon([out])
    result = import_petrarch([actors, agents])
    assert len(result.organisations) >= 100
    assert len(result.people) >= 5
    assert sum(len(v) for v in result.roles.values()) >= 70
    assert all(str(w).startswith(str(w.path) + ":") for w in result.warnings)
    assert len(lex.people) > len(load_lexicon().people)
