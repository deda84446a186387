"""The lexicon loaders: validation errors name the file and entry; the built-in set is whole."""

import datetime as dt

import pycountry
import pytest

from dyad.errors import LexiconError
from dyad.lexicon import builtin_lexicon, load_lexicon
from dyad.lexicon.patterns import builtin_actions, compile_pattern, parse_action_file


def _write(tmp_path, text, name="actors.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_every_iso_country_is_in_the_lexicon():
    codes = {c.code for c in builtin_lexicon().countries}
    missing = {c.alpha_3 for c in pycountry.countries} - codes
    assert not missing


def test_builtin_lexicon_sizes():
    lex = builtin_lexicon()
    assert len(lex.roles) >= 300
    assert len(lex.organisations) >= 200
    assert len(lex.people) >= 1000


def test_actions_cover_all_twenty_roots_with_600_patterns():
    actions = builtin_actions()
    assert actions.size >= 600
    roots = {p.code[:2] for p in actions.all_patterns()}
    assert roots == {f"{r:02d}" for r in range(1, 21)}


def test_person_code_depends_on_the_date():
    lex = load_lexicon()
    merkel = next(p for p in lex.people if p.name == "Angela Merkel")
    assert merkel.code_on(dt.date(2015, 6, 1)) == "DEUGOV"
    assert merkel.code_on(dt.date(2023, 6, 1)) == "DEUELI"


def test_user_actor_file_is_merged(tmp_path):
    p = _write(
        tmp_path,
        """
organisations:
  - {code: NGOXYZ, name: Friends of the Sea, aliases: [FOTS], kind: ngo}
people:
  - name: Ada Example
    country: NOR
    offices: [{title: Mayor, code: NORGOV, start: 2020-01-01}]
""",
    )
    lex = load_lexicon([p])
    assert any(o.code == "NGOXYZ" for o in lex.organisations)
    assert any(p.name == "Ada Example" for p in lex.people)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "people:\n  - {name: X, offices: [{title: T, code: rusgov, start: 2020-01-01}]}",
            "CAMEO actor code",
        ),
        (
            "people:\n  - {name: X, offices: [{title: T, code: RUSGOV, start: 2020-13-01}]}",
            "must be a date",
        ),
        (
            "people:\n  - {name: X, offices: [{title: T, code: RUSGOV, start: 2020-01-01, "
            "end: 2019-01-01}]}",
            "ends",
        ),
        ("organisations:\n  - {code: NAT, name: N}", "missing kind"),
        ("organisations:\n  - {code: NAT, name: N, kind: club}", "'kind' must be one of"),
        ("roles:\n  XX: [thing]", "must be made of 3-character segments"),
        ("colours: []", "unknown section"),
        ("people: [unclosed", "not valid YAML"),
    ],
)
def test_bad_actor_files_name_file_and_problem(tmp_path, text, message):
    p = _write(tmp_path, text)
    with pytest.raises(LexiconError, match=message) as info:
        load_lexicon([p])
    assert str(p) in str(info.value)
    assert info.value.code == "D200"


def test_missing_actor_file_is_a_clear_error(tmp_path):
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon([tmp_path / "nope.yaml"])


def test_pattern_grammar():
    p = compile_pattern("impose sanctions|embargo on $T", "163", "verb", "f")
    assert p.trigger == "impose"
    assert [str(e) for e in p.elements] == ["embargo|sanctions", "on", "$T"]
    assert p.elements[1].is_prep and p.has_target_slot and p.specificity == 2
    n = compile_pattern("air strike on $T", "195", "noun", "f")
    assert n.trigger == "strike" and n.before == (frozenset({"air"}),)
    s = compile_pattern("receive aid from $S", "070", "verb", "f")
    assert s.has_source_slot and not s.has_target_slot


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("$T attack", "verb", "starts with the verb"),
        ("attack $T $T", "verb", "once"),
        ("Attack $T", "verb", "bad word"),
        ("attack on", "noun", "needs a slot"),
        ("on $T", "noun", "starts with its head noun"),
    ],
)
def test_bad_patterns_are_rejected(text, kind, message):
    with pytest.raises(LexiconError, match=message):
        compile_pattern(text, "190", kind, "file.yaml")


def test_pattern_file_rejects_unknown_codes():
    with pytest.raises(LexiconError, match="not a CAMEO event code"):
        parse_action_file("f.yaml", 'verbs:\n  "999": [attack $T]\n')
