"""Gold readers and metrics on tiny hand-made files with known answers.

The metric tests use a fake coder that returns chosen events, so every number is exact.
"""

import json

import pytest

from dyad.errors import GoldFormatError
from dyad.evaluate import (
    detokenize,
    evaluate,
    read_conflibert_ner,
    read_plv,
    sentence_class,
    strip_marks,
)
from dyad.ontology import event_type
from dyad.records import Actor, Event, Trigger


def ev(text, src, code, tgt=None, conf=0.8, article="a"):
    """An event whose actors are found by their text in ``text``."""
    et = event_type(code)

    def actor(name):
        if name is None:
            return None
        k = text.index(name)
        return Actor(name, name[:3].upper(), None, k, k + len(name))

    return Event(
        "e",
        article,
        0,
        text,
        None,
        code,
        et.root,
        et.quad_class,
        et.goldstein,
        et.plover,
        actor(src),
        actor(tgt),
        Trigger("x", 0, 1),
        None,
        conf,
        "test",
    )


def fake_coder(table):
    """table: text -> list of (source, code, target[, confidence])"""

    def code(articles):
        for a in articles:
            yield a, [ev(a.text, *spec) for spec in table.get(a.text, [])]

    return code


PLV_HEADER = "sentence\tmarked_sentence\tsource\ttarget\tgold_root\tgold_penta\tsilver_root\n"


def write_plv(tmp_path, rows):
    p = tmp_path / "plv.tsv"
    p.write_text(PLV_HEADER + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return p


def test_strip_marks_nested_and_repeated():
    text, s, t = strip_marks("<s>Iran</s> said <t><s>its</s> rival Iraq</t> and <s>Iran</s>")
    assert text == "Iran said its rival Iraq and Iran"
    assert s == [(0, 4), (10, 13), (29, 33)]
    assert t == [(10, 24)]
    with pytest.raises(ValueError):
        strip_marks("<s>open only")


def test_plv_metrics_exact(tmp_path):
    s1 = "Russia attacked Ukraine."
    s2 = "Iran praised Iraq."
    s3 = "Chile met Peru."
    p = write_plv(
        tmp_path,
        [
            [
                s1,
                "<s>Russia</s> attacked <t>Ukraine</t>.",
                "Russia",
                "Ukraine",
                "ASSAULT",
                "4",
                "x",
            ],
            [s2, "<s>Iran</s> praised <t>Iraq</t>.", "Iran", "Iraq", "SUPPORT", "1", "x"],
            [s3, "<s>Chile</s> met <t>Peru</t>.", "Chile", "Peru", "CONSULT", "1", "x"],
            [s3, "<s>Peru</s> met <t>Chile</t>.", "Peru", "Chile", "CONSULT", "1", "x"],
        ],
    )
    code = fake_coder(
        {
            s1: [("Russia", "190", "Ukraine")],  # right
            s2: [("Iran", "111", "Iraq")],  # matched, wrong root
            s3: [("Chile", "040", "Peru")],  # one of two pairs
        }
    )
    r = evaluate(p, "plv", code, n_errors=5)
    assert r.n == 4
    assert r.metrics["pair recall"] == 0.75
    assert r.metrics["root accuracy (all pairs)"] == 0.5
    assert r.metrics["root accuracy (matched)"] == pytest.approx(2 / 3, abs=1e-4)
    assert r.metrics["quad accuracy (matched)"] == pytest.approx(2 / 3, abs=1e-4)
    assert r.confusion["SUPPORT"] == {"ACCUSE": 1}
    assert r.confusion["CONSULT"] == {"CONSULT": 1, "-": 1}
    assert r.per_label["ASSAULT"]["precision"] == 1.0
    assert r.per_label["ACCUSE"]["coded"] == 1 and r.per_label["ACCUSE"]["precision"] == 0.0
    assert [e["kind"] for e in r.errors] == ["wrong root", "missed"]
    assert "ACCUSE" in r.text() and "pair recall" in r.text()


def test_plv_implicit_target_matches_on_source(tmp_path):
    s = "Protesters marched in Paris."
    p = write_plv(
        tmp_path,
        [
            [
                s,
                "<s>Protesters</s> marched in Paris.",
                "Protesters",
                "a recipient",
                "PROTEST",
                "4",
                "x",
            ]
        ],
    )
    r = evaluate(p, "plv", fake_coder({s: [("Protesters", "141")]}))
    assert r.metrics["pair recall"] == 1.0 and r.metrics["root accuracy (matched)"] == 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sentence\tsource\n", "missing column"),
        (PLV_HEADER + "a\t<s>a</s>\ta\tb\tASSAULT\n", "columns where the header"),
        (PLV_HEADER + "a\t<s>a</s>\ta\tb\tDANCE\t4\tx\n", "not one of the 15"),
        (PLV_HEADER + "a\t<s>a</s>\ta\tb\tASSAULT\tfour\tx\n", "not 1-4"),
        (PLV_HEADER + "a\t<s>a\ta\tb\tASSAULT\t4\tx\n", "never closed"),
    ],
)
def test_plv_format_errors_name_file_and_line(tmp_path, content, message):
    p = tmp_path / "bad.tsv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(GoldFormatError, match=message) as info:
        read_plv(p)
    assert str(p) in str(info.value)


def test_class_metrics_exact(tmp_path):
    p = tmp_path / "class.tsv"
    lines = [
        "Russia attacked Ukraine.\t4",
        "Iran praised Iraq.\t1",
        "Chile said hello.\t0",
        "Peru met Chile.\t1",
    ]
    p.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    code = fake_coder(
        {
            "Russia attacked Ukraine.": [("Russia", "190", "Ukraine")],
            "Iran praised Iraq.": [("Iran", "111", "Iraq")],
            "Peru met Chile.": [("Peru", "040", "Chile")],
        }
    )
    r = evaluate(p, "conflibert-class", code)
    assert r.metrics["accuracy"] == 0.75
    # per class f1: 0 ->1.0, 1 -> p=1 r=.5 f=.667, 3 -> 0 (coded, never gold), 4 -> 1.0, 2 -> 0
    assert r.metrics["macro f1"] == pytest.approx((1 + 2 / 3 + 0 + 0 + 1) / 5, abs=1e-3)
    assert r.confusion["1"] == {"3": 1, "1": 1}


def test_sentence_class_prefers_confident_event():
    text = "Russia attacked Ukraine and praised Iraq."
    evs = [
        ev(text, "Russia", "190", "Ukraine", conf=0.5),
        ev(text, "Russia", "051", "Iraq", conf=0.9),
    ]
    assert sentence_class(evs) == 1
    assert sentence_class([]) == 0
    assert sentence_class([ev(text, "Russia", "010", "Iraq")]) == 0


def test_detokenize_offsets():
    text, offs = detokenize(["The", "U.S.", "said", ",", '"', "no", '"', "(", "again", ")", "."])
    assert text.startswith("The U.S. said,")
    for (s, e), tok in zip(offs, ["The", "U.S.", "said", ","], strict=False):
        assert text[s:e] == tok


def test_detokenize_rejoins_words_the_gold_tokenizer_split():
    tokens = "Iran - backed fighters in Baghdad ’ s east held 20 , 000 people ( 1 . 5 % ) .".split()
    text, offs = detokenize(tokens)
    assert text == "Iran-backed fighters in Baghdad’s east held 20,000 people (1.5%)."
    for (s, e), tok in zip(offs, tokens, strict=True):
        assert text[s:e] == tok
    # a comma between numbers that are not one figure keeps its space
    assert detokenize(["in", "2019", ",", "12", "died"])[0] == "in 2019, 12 died"


def test_ner_reader_and_metrics_exact(tmp_path):
    conll = (
        "Russia B-S\nattacked O\nthe B-T\nUkrainian I-T\narmy I-T\n. O\n\n"
        "Chile B-R\nand O\nPeru B-R\nmet O\n. O\n"
    )
    p = tmp_path / "ner.txt"
    p.write_text(conll, encoding="utf-8")
    items = read_conflibert_ner(p)
    assert items[0].text == "Russia attacked the Ukrainian army."
    assert items[0].spans["T"] == ((16, 34),)
    assert items[1].spans["R"] == ((0, 5), (10, 14))
    code = fake_coder(
        {
            "Russia attacked the Ukrainian army.": [("Russia", "190", "Ukrainian")],
            "Chile and Peru met.": [("Chile", "040", "Peru")],
        }
    )
    r = evaluate(p, "conflibert-ner", code)
    # sources: gold {Russia, Chile, Peru}; found Russia, Chile (Peru only as target) -> 2/3
    assert r.metrics["source recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert r.metrics["source precision"] == 1.0
    # targets: gold {Ukrainian army, Chile, Peru}; found army, Peru -> 2/3
    assert r.metrics["target recall"] == pytest.approx(2 / 3, abs=1e-4)


def test_ner_bad_tag(tmp_path):
    p = tmp_path / "ner.txt"
    p.write_text("Russia B-X\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"ner.txt:1: tag 'B-X'"):
        read_conflibert_ner(p)


def _petrarch_records(tmp_path):
    recs = [
        {
            "id": "A-1",
            "text": "Arnor attacked Gondor.",
            "date": "19950101",
            "expected": [{"source": "ARN", "target": "GON", "code": "190"}],
            "flags": {},
        },
        {
            "id": "A-2",
            "text": "Arnor praised Gondor.",
            "date": "19950101",
            "expected": [{"source": "ARN", "target": "GON", "code": "051"}],
            "flags": {},
        },
        {
            "id": "A-3",
            "text": "Arnor might attack Gondor.",
            "date": "19950101",
            "expected": [],
            "flags": {"noevents": True},
        },
        {
            "id": "A-4",
            "text": "Skipped.",
            "date": "19950101",
            "expected": [],
            "flags": {"skip": True},
        },
    ]
    p = tmp_path / "unit.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    return p


def test_petrarch_jsonl_metrics_exact(tmp_path):
    p = _petrarch_records(tmp_path)
    code = fake_coder(
        {
            "Arnor attacked Gondor.": [("Arnor", "190", "Gondor")],
            "Arnor praised Gondor.": [("Arnor", "057", "Gondor")],
        }
    )
    r = evaluate(p, "petrarch", code)
    assert r.n == 3  # the skip record is not scored
    assert r.metrics["records passed"] == pytest.approx(2 / 3, abs=1e-4)
    assert r.metrics["event precision"] == 0.5 and r.metrics["event recall"] == 0.5
    assert r.metrics["root-level recall"] == 1.0


def test_petrarch_xml_reader(tmp_path):
    xml = """<Sentences>
<Sentence date = "19950101" id ="X-1" category="DEMO">
<EventCoding sentenceid = "X-1" eventtext = "190" sourcecode = "ARN" targetcode = "GON" />
<Text>
Arnor attacked
Gondor.
</Text>
</Sentence>
<Sentence date="19950102" id="X-2"><EventCoding sentenceid="X-2" noevents="True"/>
<Text>Nothing happened.</Text></Sentence>
</Sentences>"""
    p = tmp_path / "unit.xml"
    p.write_text(xml, encoding="utf-8")
    code = fake_coder({"Arnor attacked Gondor.": [("Arnor", "190", "Gondor")]})
    r = evaluate(p, "petrarch", code)
    assert r.n == 2 and r.metrics["records passed"] == 1.0


def test_dyad_gold_format(tmp_path):
    p = tmp_path / "gold.jsonl"
    p.write_text(
        json.dumps(
            {
                "id": "g1",
                "text": "Chile met Peru.",
                "date": "2020-01-01",
                "events": [{"source": "CHI", "target": "PER", "code": "040"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    r = evaluate(p, "dyad", fake_coder({"Chile met Peru.": [("Chile", "040", "Peru")]}))
    assert r.metrics["records passed"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "g1", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"bad.jsonl:1: record has no 'events'"):
        evaluate(bad, "dyad", fake_coder({}))


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(GoldFormatError, match="unknown gold format"):
        evaluate(tmp_path / "x", "csv", fake_coder({}))
    with pytest.raises(GoldFormatError, match="no such file"):
        evaluate(tmp_path / "missing.tsv", "plv", fake_coder({}))
