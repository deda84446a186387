import pytest

from dyad.ontology import event_type, event_types, penta_class, quad_of_root


def test_all_cameo_codes_are_known():
    codes = event_types()
    assert len(codes) == 312
    assert sum(1 for c in codes if len(c) == 2) == 20


@pytest.mark.parametrize(
    ("code", "quad", "goldstein", "plover"),
    [
        ("051", 1, 3.4, "SUPPORT"),
        ("0871", 2, 9.0, "RETREAT"),
        ("112", 3, -2.0, "ACCUSE"),
        ("1312", 3, -5.8, "THREATEN"),
        ("190", 4, -10.0, "ASSAULT"),
        ("163", 4, -8.0, "COERCE"),  # the official table maps sanctions to COERCE
        ("023", 1, 3.4, "REQUEST"),  # appeals are REQUEST in PLOVER
        ("010", 1, 0.0, None),  # PLOVER has no public-statement type
    ],
)
def test_event_type_facts(code, quad, goldstein, plover):
    et = event_type(code)
    assert et.quad_class == quad
    assert et.goldstein == goldstein
    assert et.plover == plover
    assert et.root == code[:2]


def test_quad_of_root_follows_cameo():
    assert [quad_of_root(f"{r:02d}") for r in (1, 5, 6, 8, 9, 13, 14, 20)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    with pytest.raises(ValueError):
        quad_of_root("21")


def test_unknown_code_names_itself():
    with pytest.raises(KeyError, match="999"):
        event_type("999")


def test_penta_class_puts_appeals_with_statements_and_cuts_with_verbal_conflict():
    assert [penta_class(r) for r in ("01", "02", "03", "06", "09", "14", "16", "19")] == [
        0,
        0,
        1,
        2,
        3,
        4,
        3,
        4,
    ]
    assert quad_of_root("02") == 1  # the event record keeps CAMEO's quad class
