"""The seed article (../shared/data/seed): the events a careful coder codes, and none of
the hypothetical ones. Skips where the shared data folder is absent."""

import pytest

from tests.conftest import shared_file


@pytest.fixture(scope="module")
def events(coder):
    text = shared_file("seed", "article.txt").read_text(encoding="utf-8")
    return coder.code_text(text, date="2021-12-15", article_id="seed")


def _has(events, source, root, target=None, code=None):
    for e in events:
        if e.root_code != root or not (e.source.code or "").startswith(source):
            continue
        if code and e.event_code != code:
            continue
        if target is None or (e.target and (e.target.code or "").startswith(target)):
            return True
    return False


def test_china_supports_russia(events):
    assert _has(events, "CHN", "05", "RUS")


def test_xi_putin_video_meeting(events):
    assert _has(events, "CHN", "04", "RUS") and _has(events, "RUS", "04", "CHN")


def test_russian_troop_deployment(events):
    assert _has(events, "RUS", "15")


def test_annexation_of_crimea(events):
    e = [e for e in events if e.trigger.text.startswith("annex")]
    assert e and e[0].source.code.startswith("RUS") and e[0].target.code == "UKR"


def test_biden_rejects_russias_demand(events):
    assert _has(events, "USA", "12", "RUS")


def test_us_warship_traffic_around_china(events):
    assert _has(events, "USA", "15", "CHN")


def test_no_assault_for_hypothetical_invasion_or_almost_war(events):
    # the annexation (192, PLOVER COERCE) happened; no invasion, war or other assault did
    assert not [e for e in events if e.plover == "ASSAULT"]
    assert not [e for e in events if "invasion" in e.trigger.text or "war" in e.trigger.text]


def test_offsets_point_at_the_evidence(events, coder):
    text = shared_file("seed", "article.txt").read_text(encoding="utf-8")
    for e in events:
        assert text[e.source.start : e.source.end] == e.source.text
        assert text[e.trigger.start : e.trigger.end] == e.trigger.text
        assert e.sentence in text
