import datetime as dt

from dyad.records import (
    EVENT_FIELDS,
    Actor,
    Article,
    Event,
    Trigger,
    arrow_schema,
    flat_row,
    make_event_id,
)


def _event(target: bool = True) -> Event:
    return Event(
        event_id="x",
        article_id="a",
        sentence_index=0,
        sentence="S.",
        date="2022-01-01",
        event_code="190",
        root_code="19",
        quad_class=4,
        goldstein=-10.0,
        plover="ASSAULT",
        source=Actor("Russia", "RUS", "RUS", 0, 6),
        target=Actor("Ukraine", "UKR", "UKR", 10, 17) if target else None,
        trigger=Trigger("attacked", 7, 15),
        location=None,
        confidence=0.8,
        rule="r",
    )


def test_as_dict_has_the_contract_fields_in_order():
    d = _event().as_dict()
    assert tuple(d) == EVENT_FIELDS
    assert set(d["source"]) == {"text", "code", "country", "start", "end"}
    assert set(d["trigger"]) == {"text", "start", "end"}


def test_absent_target_is_null_not_missing():
    d = _event(target=False).as_dict()
    assert "target" in d and d["target"] is None
    assert d["location"] is None


def test_flat_row_matches_arrow_schema():
    assert list(flat_row(_event())) == arrow_schema().names
    assert list(flat_row(_event(target=False))) == arrow_schema().names


def test_event_id_is_stable_and_distinguishes_events():
    a = make_event_id("art", 1, 5, "190", "RUS", "UKR", 0, 10)
    assert a == make_event_id("art", 1, 5, "190", "RUS", "UKR", 0, 10)
    assert a != make_event_id("art", 1, 5, "190", "RUS", "POL", 0, 10)


def test_article_is_frozen():
    art = Article("a", "text", dt.date(2020, 1, 1))
    try:
        art.text = "other"  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("Article should be immutable")
