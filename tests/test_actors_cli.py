"""`dyad actors lookup | list | validate`."""

import json

from dyad.cli import main
from dyad.lexicon.check import check_file


def run(capsys, argv):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_lookup_prints_codes_offsets_and_how(coder, capsys):
    text = "Russian troops shelled Kharkiv. The Kremlin denied it."
    rc, out, _ = run(capsys, ["actors", "lookup", text, "--date", "2022-03-07"])
    assert rc == 0
    header, *rows = out.splitlines()
    assert header.split()[:4] == ["span", "text", "code", "country"]
    assert any("Russian troops" in r and "RUSMIL" in r and r.startswith("0-14") for r in rows)
    assert any("the kremlin" in r.lower() and "RUSGOV" in r for r in rows)


def test_lookup_json_offsets_index_the_text(coder, capsys):
    text = "Angela Merkel met Chinese officials in Berlin."
    rc, out, _ = run(capsys, ["actors", "lookup", text, "--date", "2023-05-01", "--json"])
    assert rc == 0
    mentions = json.loads(out)
    assert {"text", "code", "country", "start", "end", "kind", "how", "coreferent"} <= set(
        mentions[0]
    )
    for m in mentions:
        assert text[m["start"] : m["end"]] == m["text"]
    codes = {m["text"]: m["code"] for m in mentions}
    assert codes["Angela Merkel"] == "DEUELI"  # out of office on that date
    assert codes["Chinese officials"] == "CHNGOV"


def test_lookup_uses_user_actor_files(coder, tmp_path, capsys):
    f = tmp_path / "mine.yaml"
    f.write_text(
        "organisations:\n  - {code: XYZREB, name: Northern Front, kind: armed_group, "
        "country: XYZ}\n",
        encoding="utf-8",
    )
    text = "The Northern Front attacked the town."
    rc, out, _ = run(capsys, ["actors", "lookup", text, "--actors", str(f), "--json"])
    assert rc == 0
    assert any(m["code"] == "XYZREB" for m in json.loads(out))


def test_lookup_bad_date_is_a_usage_error(capsys):
    rc, _, err = run(capsys, ["actors", "lookup", "Russia", "--date", "yesterday"])
    assert rc == 2
    assert "is not a date" in err and "Traceback" not in err


def test_list_filters_by_kind_and_grep(capsys):
    rc, out, err = run(capsys, ["actors", "list", "--kind", "organisations", "--grep", "NATO"])
    assert rc == 0
    assert any(line.split()[:2] == ["organisation", "NAT"] for line in out.splitlines())
    assert "entries" in err
    rc, out, _ = run(capsys, ["actors", "list", "--kind", "roles", "--grep", "troops"])
    assert any(line.split() == ["role", "MIL", "troops"] for line in out.splitlines())
    rc, out, _ = run(
        capsys,
        ["actors", "list", "--kind", "people", "--grep", "merkel", "--date", "2010-01-01"],
    )
    assert "DEUGOV" in out.splitlines()[1]
    rc, out, _ = run(capsys, ["actors", "list", "--grep", "kremlin", "--json"])
    entries = json.loads(out)
    assert {"kind": "country", "code": "RUS"}.items() <= entries[0].items()


def test_validate_reports_every_bad_entry(tmp_path, capsys):
    f = tmp_path / "bad.yaml"
    f.write_text(
        "organisations:\n"
        "  - {code: NAT, name: Good One, kind: alliance}\n"
        "  - {code: nat, name: Bad Code, kind: alliance}\n"
        "  - {code: XYZ, name: Bad Kind, kind: club}\n"
        "people:\n"
        "  - {name: P, offices: [{title: T, code: RUSGOV, start: 2020-01-01, end: 2019-01-01}]}\n"
        "roles:\n  XX: [thing]\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.yaml"
    good.write_text("roles:\n  MIL: [sentry]\n", encoding="utf-8")
    rc, out, err = run(capsys, ["actors", "validate", str(good), str(f)])
    assert rc == 1
    assert f"{good}: ok (roles 1)" in out
    assert f"{f}: error: organisation 'Bad Code': 'code' must be a CAMEO actor code" in err
    assert f"{f}: error: organisation 'Bad Kind': 'kind' must be one of" in err
    assert "person 'P' offices[0]: office ends" in err
    assert "roles.XX: role code 'XX' must be made of 3-character segments" in err
    assert "1 of 2 files have errors" in err


def test_validate_unreadable_and_unknown_sections(tmp_path, capsys):
    f = tmp_path / "x.yaml"
    f.write_text("colours: []\n", encoding="utf-8")
    rc, _, err = run(capsys, ["actors", "validate", str(f), str(tmp_path / "missing.yaml")])
    assert rc == 1
    assert "unknown section(s) colours" in err
    assert "missing.yaml: error: " in err and "cannot read actor file" in err


def test_validate_warns_when_a_builtin_name_wins(tmp_path):
    f = tmp_path / "shadow.yaml"
    f.write_text(
        "organisations:\n  - {code: PSEREB, name: Hamas, kind: armed_group, country: PSE}\n",
        encoding="utf-8",
    )
    report = check_file(f)
    assert report.ok
    assert any("built-in organisation (PSEHAM)" in str(p) for p in report.problems)


def test_actors_without_subcommand_prints_usage(capsys):
    rc, _, err = run(capsys, ["actors"])
    assert rc == 2
    assert "lookup" in err and "import-petrarch" in err
