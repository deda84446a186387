"""Event dates from temporal expressions: every rule with a hand-written sentence."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from dyad.dates import DateMention, find_dates, find_years, resolve_date

D = dt.date
WED = D(2021, 12, 15)  # a Wednesday: the seed article's date

# (sentence, trigger word, article date, context year, expected date, precision, rule)
CASES: list[tuple[str, str, dt.date | None, int | None, dt.date, str, str]] = [
    # --- the seed article's style
    (
        "The Chinese leader said on Wednesday (15) that his country would stand with Moscow.",
        "said",
        WED,
        None,
        WED,
        "day",
        "weekday",
    ),
    (
        "In a phone call with the Russian leader last week, the American president had "
        "rejected that demand.",
        "rejected",
        WED,
        None,
        D(2021, 12, 8),
        "day",
        "relative_day",
    ),
    (
        "Separatists backed by Moscow hold part of the Donbas region — that year, Putin had "
        "already annexed Crimea to weaken Kyiv.",
        "annexed",
        WED,
        2014,
        D(2014, 1, 1),
        "year",
        "that_year",
    ),
    # --- weekdays: the most recent one on or before the article date
    ("The minister resigned on Monday.", "resigned", WED, None, D(2021, 12, 13), "day", "weekday"),
    ("The minister resigned Monday.", "resigned", WED, None, D(2021, 12, 13), "day", "weekday"),
    (
        "Troops crossed the river on Thursday.",
        "crossed",
        WED,
        None,
        D(2021, 12, 9),
        "day",
        "weekday",
    ),
    ("Police arrested the mayor on Wednesday.", "arrested", WED, None, WED, "day", "weekday"),
    ("The envoy arrived last Wednesday.", "arrived", WED, None, D(2021, 12, 8), "day", "weekday"),
    (
        "The envoy will travel to Kyiv next Friday.",
        "travel",
        WED,
        None,
        D(2021, 12, 17),
        "day",
        "weekday",
    ),
    ("Shells hit the port on Sunday night.", "hit", WED, None, D(2021, 12, 12), "day", "weekday"),
    (
        "The cabinet met on Tuesday (14) in Rome.",
        "met",
        WED,
        None,
        D(2021, 12, 14),
        "day",
        "weekday",
    ),
    ("The court ruled on Friday (10).", "ruled", WED, None, D(2021, 12, 10), "day", "weekday"),
    # the day in parentheses wins over a weekday that does not fit it
    ("The court ruled on Monday (14).", "ruled", WED, None, D(2021, 12, 14), "day", "weekday"),
    ("Wednesday's vote went against the government.", "vote", WED, None, WED, "day", "weekday"),
    # --- days counted from the article date
    (
        "Protesters marched today through the capital.",
        "marched",
        WED,
        None,
        WED,
        "day",
        "relative_day",
    ),
    (
        "Rebels shot down a helicopter yesterday.",
        "shot",
        WED,
        None,
        D(2021, 12, 14),
        "day",
        "relative_day",
    ),
    (
        "Yesterday morning the army shelled the village.",
        "shelled",
        WED,
        None,
        D(2021, 12, 14),
        "day",
        "relative_day",
    ),
    (
        "The strike happened the day before yesterday.",
        "strike",
        WED,
        None,
        D(2021, 12, 13),
        "day",
        "relative_day",
    ),
    (
        "The parliament will vote tomorrow.",
        "vote",
        WED,
        None,
        D(2021, 12, 16),
        "day",
        "relative_day",
    ),
    (
        "Gunmen attacked a convoy last night.",
        "attacked",
        WED,
        None,
        D(2021, 12, 14),
        "day",
        "relative_day",
    ),
    ("Drones struck the refinery overnight.", "struck", WED, None, WED, "day", "relative_day"),
    ("Talks resumed this morning in Vienna.", "resumed", WED, None, WED, "day", "relative_day"),
    (
        "Last week, the two navies held drills.",
        "held",
        WED,
        None,
        D(2021, 12, 8),
        "day",
        "relative_day",
    ),
    ("The ministers meet this week in Brussels.", "meet", WED, None, WED, "day", "relative_day"),
    ("The rebels withdrew two days ago.", "withdrew", WED, None, D(2021, 12, 13), "day", "ago"),
    ("The rebels withdrew 10 days ago.", "withdrew", WED, None, D(2021, 12, 5), "day", "ago"),
    (
        "Both sides agreed to a truce three weeks ago.",
        "agreed",
        WED,
        None,
        D(2021, 11, 24),
        "day",
        "ago",
    ),
    ("The blockade had begun a week earlier.", "begun", WED, None, D(2021, 12, 8), "day", "ago"),
    (
        "The embassy had warned its citizens the previous day.",
        "warned",
        WED,
        None,
        D(2021, 12, 14),
        "day",
        "relative_day",
    ),
    # --- months and years
    ("Inflation rose last month.", "rose", WED, None, D(2021, 11, 1), "month", "relative_period"),
    (
        "Earlier this month the army mobilised reservists.",
        "mobilised",
        WED,
        None,
        D(2021, 12, 1),
        "month",
        "relative_period",
    ),
    (
        "The summit takes place next month.",
        "takes",
        WED,
        None,
        D(2022, 1, 1),
        "month",
        "relative_period",
    ),
    (
        "The two leaders met twice last year.",
        "met",
        WED,
        None,
        D(2020, 1, 1),
        "year",
        "relative_period",
    ),
    (
        "It was their second meeting this year.",
        "meeting",
        WED,
        None,
        D(2021, 1, 1),
        "year",
        "relative_period",
    ),
    (
        "The ministry imposed sanctions two months ago.",
        "imposed",
        WED,
        None,
        D(2021, 10, 1),
        "month",
        "ago",
    ),
    ("The party split two years ago.", "split", WED, None, D(2019, 1, 1), "year", "ago"),
    # --- explicit years, months and dates
    ("Russia annexed Crimea in 2014.", "annexed", WED, None, D(2014, 1, 1), "year", "year"),
    (
        "Since 2014, a war has divided the east.",
        "divided",
        WED,
        None,
        D(2014, 1, 1),
        "year",
        "year",
    ),
    ("The army took the city in early 2016.", "took", WED, None, D(2016, 1, 1), "year", "year"),
    (
        "The coalition will withdraw by the end of 2022.",
        "withdraw",
        WED,
        None,
        D(2022, 1, 1),
        "year",
        "year",
    ),
    ("Fighting flared in the summer of 2008.", "flared", WED, None, D(2008, 1, 1), "year", "year"),
    (
        "Output is forecast to match the US in 2049.",
        "forecast",
        WED,
        None,
        D(2049, 1, 1),
        "year",
        "year",
    ),
    ("The treaty lapsed in mid-2019.", "lapsed", WED, None, D(2019, 1, 1), "year", "year"),
    ("Elections were held in March.", "held", WED, None, D(2021, 3, 1), "month", "month"),
    (
        "Elections were held in March.",
        "held",
        D(2021, 2, 10),
        None,
        D(2020, 3, 1),
        "month",
        "month",
    ),
    (
        "Strikes have spread since early March.",
        "spread",
        WED,
        None,
        D(2021, 3, 1),
        "month",
        "month",
    ),
    (
        "The pact expired last March.",
        "expired",
        D(2021, 3, 20),
        None,
        D(2020, 3, 1),
        "month",
        "month",
    ),
    (
        "The offensive began in March 2014.",
        "began",
        WED,
        None,
        D(2014, 3, 1),
        "month",
        "month_year",
    ),
    ("The referendum was held on March 18.", "held", WED, None, D(2021, 3, 18), "day", "month_day"),
    ("The referendum was held on 18 March.", "held", WED, None, D(2021, 3, 18), "day", "day_month"),
    (
        "Putin signed the treaty on March 18, 2014.",
        "signed",
        WED,
        None,
        D(2014, 3, 18),
        "day",
        "month_day",
    ),
    (
        "Putin signed the treaty on 18 March 2014.",
        "signed",
        WED,
        None,
        D(2014, 3, 18),
        "day",
        "day_month",
    ),
    (
        "Putin signed the treaty on the 18th of March, 2014.",
        "signed",
        WED,
        None,
        D(2014, 3, 18),
        "day",
        "day_month",
    ),
    (
        "On Tuesday, March 18, 2014, Putin signed the treaty.",
        "signed",
        WED,
        None,
        D(2014, 3, 18),
        "day",
        "month_day",
    ),
    (
        "The attacks of Sept. 11, 2001 changed everything.",
        "attacks",
        WED,
        None,
        D(2001, 9, 11),
        "day",
        "month_day",
    ),
    (
        "The agreement was signed on 2014-03-18 in Moscow.",
        "signed",
        WED,
        None,
        D(2014, 3, 18),
        "day",
        "iso_date",
    ),
    # a month and day without a year: the year nearest the article date
    ("The vote is due on December 20.", "vote", WED, None, D(2021, 12, 20), "day", "month_day"),
    (
        "The ceasefire collapsed on December 28.",
        "collapsed",
        D(2022, 1, 3),
        None,
        D(2021, 12, 28),
        "day",
        "month_day",
    ),
    (
        "Talks began on February 29.",
        "began",
        D(2021, 3, 1),
        None,
        D(2020, 2, 29),
        "day",
        "month_day",
    ),
    # --- decades
    ("They almost went to war in the 1960s.", "went", WED, None, D(1960, 1, 1), "year", "decade"),
    (
        "The border was fortified during the late 1990s.",
        "fortified",
        WED,
        None,
        D(1990, 1, 1),
        "year",
        "decade",
    ),
    # --- the weekend and this week
    (
        "Crowds rallied over the weekend.",
        "rallied",
        D(2021, 12, 13),
        None,
        D(2021, 12, 11),
        "day",
        "weekend",
    ),
    (
        "The leaders spoke earlier this week.",
        "spoke",
        D(2021, 12, 16),
        None,
        D(2021, 12, 13),
        "day",
        "earlier_this_week",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "word", "article_date", "context_year", "expected", "precision", "rule"),
    CASES,
    ids=[f"{i:02d}-{c[0][:40]}" for i, c in enumerate(CASES)],
)
def test_resolve_date(
    sentence: str,
    word: str,
    article_date: dt.date | None,
    context_year: int | None,
    expected: dt.date,
    precision: str,
    rule: str,
) -> None:
    got = resolve_date(sentence, sentence.index(word), article_date, context_year=context_year)
    assert got is not None, sentence
    assert (got.date, got.precision, got.rule) == (expected, precision, rule)
    assert sentence[got.start : got.end] == got.text


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40


# --- choosing the expression that governs the event


def test_nearest_expression_in_the_same_clause() -> None:
    s = "After years of talks since 2015, the parties signed the accord on Friday."
    got = resolve_date(s, s.index("signed"), WED)
    assert got is not None and got.date == D(2021, 12, 10)


def test_relative_clause_keeps_its_own_date() -> None:
    s = "The talks, which began on Monday, ended without a deal on Wednesday."
    ended = resolve_date(s, s.index("ended"), WED)
    began = resolve_date(s, s.index("began"), WED)
    assert ended is not None and ended.date == WED
    assert began is not None and began.date == D(2021, 12, 13)


def test_a_sibling_clause_date_is_not_borrowed() -> None:
    s = "Rebels seized the town on Monday, but the army retook it."
    assert resolve_date(s, s.index("retook"), WED) is None
    seized = resolve_date(s, s.index("seized"), WED)
    assert seized is not None and seized.date == D(2021, 12, 13)


def test_reported_clause_takes_the_date_of_the_statement() -> None:
    s = "The spokesman said on Tuesday that troops had withdrawn from the border."
    got = resolve_date(s, s.index("withdrawn"), WED)
    assert got is not None and got.date == D(2021, 12, 14)


def test_statement_does_not_take_the_reported_events_date() -> None:
    s = "The minister said that Russia annexed Crimea in 2014."
    assert resolve_date(s, s.index("said"), WED) is None
    annexed = resolve_date(s, s.index("annexed"), WED)
    assert annexed is not None and annexed.date == D(2014, 1, 1)


def test_statement_without_that() -> None:
    s = "The senator said Russia invaded Ukraine in 2014."
    assert resolve_date(s, s.index("said"), WED) is None
    s = "The senator said Wednesday that Moscow had broken the deal."
    said = resolve_date(s, s.index("said"), WED)
    assert said is not None and said.date == WED


def test_that_year_after_a_dash_uses_the_year_earlier_in_the_sentence() -> None:
    s = "Since 2014, war has divided the east — that year, Moscow annexed Crimea."
    got = resolve_date(s, s.index("annexed"), WED, context_year=1999)
    assert got is not None and got.date == D(2014, 1, 1) and got.rule == "that_year"


def test_that_year_in_a_relative_clause_of_the_seed_sentence() -> None:
    s = (
        "That year, Putin had already annexed Crimea to weaken Kiev, where the friendly "
        "government had been overthrown."
    )
    got = resolve_date(s, s.index("overthrown"), WED, context_year=2014)
    assert got is not None and got.date == D(2014, 1, 1)


def test_that_year_without_any_year_is_none() -> None:
    s = "That year, the rebels took the airport."
    assert resolve_date(s, s.index("took"), WED) is None


# --- no expression, or none that can be resolved


@pytest.mark.parametrize(
    "sentence",
    [
        "The two sides signed a trade agreement.",
        "Russia deployed 2000 troops to the border.",
        "The army sent 100,000 troops to the front.",
        "Theresa May met the German chancellor.",
        "Pressure on May grew among her ministers.",
        "Thousands joined the march in the capital.",
        "The deal may collapse.",
        "Turnout rose to 2014 voters in the district.",
    ],
)
def test_no_temporal_expression(sentence: str) -> None:
    assert resolve_date(sentence, 4, WED) is None
    assert find_dates(sentence, WED) == []


def test_the_day_before_a_noun_is_not_a_date() -> None:
    s = "Violence erupted the day before the election."
    assert resolve_date(s, s.index("erupted"), WED) is None


def test_relative_expressions_need_an_article_date() -> None:
    s = "The minister resigned on Monday."
    assert resolve_date(s, s.index("resigned"), None) is None
    s = "Russia annexed Crimea in 2014."
    got = resolve_date(s, s.index("annexed"), None)
    assert got is not None and got.date == D(2014, 1, 1)


def test_invalid_calendar_dates_are_not_resolved() -> None:
    s = "The vote took place on February 30, 2021."
    assert resolve_date(s, s.index("vote"), WED) is None
    assert resolve_date("The talks ended last week.", 10, D(1, 1, 2)) is None
    assert resolve_date("The talks resume next year.", 10, D(9999, 6, 1)) is None


def test_anchor_outside_the_sentence() -> None:
    s = "On Monday the talks failed."
    for anchor in (-5, 0, len(s), 500):
        got = resolve_date(s, anchor, WED)
        assert got is not None and got.date == D(2021, 12, 13)
    assert resolve_date("", 0, WED) is None


# --- helpers


def test_find_years_in_article_order() -> None:
    text = (
        "Ties have deepened since the pandemic began, in 2020. The two leaders have met 36 "
        "times since 2012. Since 2014, the east has been at war. On March 18, 2014, Moscow "
        "annexed Crimea; 2000 troops stayed."
    )
    assert find_years(text) == [2020, 2012, 2014, 2014]
    assert find_years("No year here, just 300 soldiers.") == []


def test_find_dates_lists_every_expression() -> None:
    s = "On Monday the talks failed; two days ago they had resumed after a pause in 2019."
    got = find_dates(s, WED)
    assert [m.rule for m in got] == ["weekday", "ago", "year"]
    assert [m.date for m in got] == [D(2021, 12, 13), D(2021, 12, 13), D(2019, 1, 1)]
    assert all(isinstance(m, DateMention) and s[m.start : m.end] == m.text for m in got)


def test_date_mention_is_frozen() -> None:
    got = resolve_date("It rained on Monday.", 3, WED)
    assert got is not None
    with pytest.raises(AttributeError):
        got.date = WED  # type: ignore[misc]


def test_resolve_date_is_fast() -> None:
    s = (
        "In a conversation with the Russian last week, US President Joe Biden had rejected "
        "that demand, which Moscow first made in 2019."
    )
    anchor = s.index("rejected")
    start = time.perf_counter()
    for _ in range(2000):
        resolve_date(s, anchor, WED)
    per_call = (time.perf_counter() - start) / 2000
    assert per_call < 0.002  # ~30 µs on a laptop; this only catches runaway backtracking
