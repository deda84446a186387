"""`dyad code` end to end: the JSONL contract, formats, and bad input."""

import io
import json
import sys

import pyarrow.parquet as pq
import pytest

from dyad.cli import main

PROBE = {
    "id": "probe-1",
    "date": "2022-03-07",
    "text": "Russian troops attacked Ukrainian positions near Kharkiv on Monday, Ukraine said.",
}


def run_cli(monkeypatch, capsys, argv, stdin: bytes | None = None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_jsonl_stdin_contract(coder, monkeypatch, capsys):
    rc, out, err = run_cli(
        monkeypatch,
        capsys,
        ["code", "--format", "jsonl", "--no-progress"],
        (json.dumps(PROBE) + "\n").encode(),
    )
    assert rc == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events, "a plain attack sentence must give an event"
    for e in events:
        assert e["article_id"] == "probe-1"
        for side in ("source", "target"):
            a = e[side]
            if a:
                assert PROBE["text"][a["start"] : a["end"]] == a["text"]
        t = e["trigger"]
        assert PROBE["text"][t["start"] : t["end"]] == t["text"]
        assert e["date"] == "2022-03-07"
    assert any(e["source"]["code"] == "RUSMIL" and e["root_code"] in ("18", "19") for e in events)


def test_text_file_id_is_the_file_name(coder, tmp_path, monkeypatch, capsys):
    f = tmp_path / "story.txt"
    f.write_text("Russia attacked Ukraine.", encoding="utf-8")
    rc, out, _ = run_cli(
        monkeypatch, capsys, ["code", str(f), "--date", "2022-02-24", "--no-progress"]
    )
    assert rc == 0
    assert {json.loads(x)["article_id"] for x in out.splitlines()} == {"story.txt"}


def test_csv_and_parquet_outputs(coder, tmp_path, monkeypatch, capsys):
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps(PROBE) + "\n", encoding="utf-8")
    rc, out, _ = run_cli(monkeypatch, capsys, ["code", str(f), "--format", "csv", "--no-progress"])
    assert rc == 0
    header = out.splitlines()[0].split(",")
    assert header[:3] == ["event_id", "article_id", "sentence_index"]
    pq_path = tmp_path / "events.parquet"
    rc, _, err = run_cli(
        monkeypatch,
        capsys,
        ["code", str(f), "--format", "parquet", "-o", str(pq_path), "--no-progress"],
    )
    assert rc == 0, err
    table = pq.read_table(pq_path)
    assert table.num_rows >= 1
    assert table.column("article_id").to_pylist()[0] == "probe-1"


def test_explain_prints_actors_and_decisions(coder, monkeypatch, capsys):
    rc, out, _ = run_cli(
        monkeypatch,
        capsys,
        ["code", "--explain", "--date", "2022-01-01"],
        b"Russia did not attack Ukraine. Russia attacked Georgia.",
    )
    assert rc == 0
    assert "actors:" in out and "negated" in out and "code 19" in out


def test_empty_text_gives_no_events_and_no_error(coder, monkeypatch, capsys):
    rc, out, err = run_cli(monkeypatch, capsys, ["code", "--no-progress"], b"")
    assert rc == 0 and out == "" and "error" not in err


def test_invalid_utf8_is_replaced_with_one_warning(coder, tmp_path, monkeypatch, capsys):
    f = tmp_path / "latin1.txt"
    f.write_bytes("Russia attacked Ukraine near Kharkiv. Caf\xe9.".encode("latin-1"))
    rc, out, err = run_cli(monkeypatch, capsys, ["code", str(f), "--no-progress"])
    assert rc == 0
    assert err.count("warning") == 1 and "latin1.txt" in err
    assert out.strip()


def test_bad_jsonl_lines_are_reported_and_the_rest_carries_on(coder, tmp_path, monkeypatch, capsys):
    f = tmp_path / "mixed.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps(PROBE),
                "{not json",
                json.dumps({"id": "x"}),
                json.dumps({**PROBE, "id": "probe-2"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    rc, out, err = run_cli(monkeypatch, capsys, ["code", str(f), "--no-progress"])
    assert rc == 0
    assert f"{f}:2" in err and "not JSON" in err
    assert f"{f}:3" in err and '"text"' in err
    ids = {json.loads(x)["article_id"] for x in out.splitlines()}
    assert ids == {"probe-1", "probe-2"}
    rc, _, err = run_cli(monkeypatch, capsys, ["code", str(f), "--strict", "--no-progress"])
    assert rc != 0 and f"{f}:2" in err and "Traceback" not in err


def test_binary_and_oversized_files_are_rejected(coder, tmp_path, monkeypatch, capsys):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    big = tmp_path / "big.txt"
    big.write_text("Russia attacked Ukraine. " * 200, encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("Russia attacked Ukraine.", encoding="utf-8")
    rc, out, err = run_cli(
        monkeypatch,
        capsys,
        ["code", str(binary), str(big), str(good), "--max-bytes", "1000", "--no-progress"],
    )
    assert rc == 0
    assert "image.txt: binary" in err
    assert "big.txt: too_large" in err
    assert {json.loads(x)["article_id"] for x in out.splitlines()} == {"good.txt"}


@pytest.mark.parametrize(
    "argv",
    [
        ["code", "/no/such/file.txt"],
        ["code", "--format", "xml", "-"],
        ["code", "--input-format", "pdf", "-"],
        ["code", "--date", "yesterday", "-"],
    ],
)
def test_usage_errors_are_one_line_without_traceback(argv, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"text")))
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse rejects bad choices itself, with exit 2
        rc = exc.code
    _, err = capsys.readouterr()
    assert rc != 0
    assert "Traceback" not in err
    assert err.strip()
