"""Period phrases and fiscal calendars: the rules file, the resolver on five calendars, corpus."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings, strategies as st

from extractor import periods, rulegates
from extractor.models import Period
from extractor.periods import (
    FiscalCalendar, PeriodContext, RefKind, as_instant, as_span, build_context,
    compile_period_rules, find_period_mentions, infer_calendar, prior_quarter,
    quarter_of_fiscal_year, read_date, resolve, resolve_periods, year_ago,
)

ROOT = Path(__file__).resolve().parents[2]
D = dt.date
S = Period.span
A = Period.at


def load_rule_rows() -> list[dict]:
    lines = (ROOT / "patterns" / "periods.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


RULES = compile_period_rules(load_rule_rows())


def period(text: str) -> Period:
    """'2003-04-01..2003-06-30' is a span, '@2003-06-30' an instant."""
    if text.startswith("@"):
        return A(D.fromisoformat(text[1:]))
    start, end = text.split("..")
    return S(D.fromisoformat(start), D.fromisoformat(end))


def periods_of(phrase: str, ctx: PeriodContext) -> tuple[Period, ...]:
    """The periods of the longest mention in `phrase` (the phrase under test)."""
    mentions = find_period_mentions(phrase, RULES)
    assert mentions, f"no period mention in {phrase!r}"
    longest = max(mentions, key=lambda mention: mention.end - mention.start)
    return resolve_periods(longest, ctx)


# ---------------------------------------------------------------- contexts on five calendars

def quarter_tables(quarter: str, year_ago_quarter: str, ytd: str, ytd_year_ago: str,
                   *instants: str) -> list[Period]:
    return [period(text) for text in (quarter, year_ago_quarter, ytd, ytd_year_ago, *instants)]


CALENDAR_TABLES = {
    # calendar year: second quarter of 2003 (cpst-2003-07-17 shape)
    "dec": (D(2003, 7, 17), "", quarter_tables(
        "2003-04-01..2003-06-30", "2002-04-01..2002-06-30", "2003-01-01..2003-06-30",
        "2002-01-01..2002-06-30", "@2003-06-30", "@2002-12-31")),
    # fiscal year ending March: second quarter of fiscal 2005 (cpst-2004-11-04 shape)
    "mar": (D(2004, 11, 4), "", quarter_tables(
        "2004-07-01..2004-09-30", "2003-07-01..2003-09-30", "2004-04-01..2004-09-30",
        "2003-04-01..2003-09-30", "@2004-09-30", "@2004-03-31")),
    "jun": (D(2005, 2, 3), "", quarter_tables(
        "2004-10-01..2004-12-31", "2003-10-01..2003-12-31", "2004-07-01..2004-12-31",
        "2003-07-01..2003-12-31", "@2004-12-31", "@2004-06-30")),
    "sep": (D(2005, 5, 5), "", quarter_tables(
        "2005-01-01..2005-03-31", "2004-01-01..2004-03-31", "2004-10-01..2005-03-31",
        "2003-10-01..2004-03-31", "@2005-03-31", "@2004-09-30")),
    # 52/53-week retailer, year ends the Saturday nearest January 31, named by its start year:
    # 13 and 26 weeks ended July 31, 2004 and August 2, 2003
    "retail": (D(2004, 8, 19), "Results for the second quarter of fiscal 2004.", quarter_tables(
        "2004-05-02..2004-07-31", "2003-05-04..2003-08-02", "2004-02-01..2004-07-31",
        "2003-02-02..2003-08-02", "@2004-07-31", "@2004-01-31", "@2003-08-02")),
}


def calendar_context(name: str) -> PeriodContext:
    release_date, text, tables = CALENDAR_TABLES[name]
    return build_context(text, release_date, tables, RULES)


PHRASES = ["the second quarter", "the prior quarter", "a year ago", "year-to-date",
           "the first quarter of this year", "for the full year", "at the end of the quarter",
           "began the quarter with", "the same quarter last year", "the first six months",
           "fiscal 2004", "the fourth quarter of fiscal 2004"]

EXPECTED = {
    "dec": ["2003-04-01..2003-06-30", "2003-01-01..2003-03-31", "2002-04-01..2002-06-30",
            "2003-01-01..2003-06-30", "2003-01-01..2003-03-31", "2003-01-01..2003-12-31",
            "@2003-06-30", "@2003-03-31", "2002-04-01..2002-06-30", "2003-01-01..2003-06-30",
            "2004-01-01..2004-12-31", "2004-10-01..2004-12-31"],
    "mar": ["2004-07-01..2004-09-30", "2004-04-01..2004-06-30", "2003-07-01..2003-09-30",
            "2004-04-01..2004-09-30", "2004-04-01..2004-06-30", "2004-04-01..2005-03-31",
            "@2004-09-30", "@2004-06-30", "2003-07-01..2003-09-30", "2004-04-01..2004-09-30",
            "2003-04-01..2004-03-31", "2004-01-01..2004-03-31"],
    "jun": ["2004-10-01..2004-12-31", "2004-07-01..2004-09-30", "2003-10-01..2003-12-31",
            "2004-07-01..2004-12-31", "2004-07-01..2004-09-30", "2004-07-01..2005-06-30",
            "@2004-12-31", "@2004-09-30", "2003-10-01..2003-12-31", "2004-07-01..2004-12-31",
            "2003-07-01..2004-06-30", "2004-04-01..2004-06-30"],
    "sep": ["2005-01-01..2005-03-31", "2004-10-01..2004-12-31", "2004-01-01..2004-03-31",
            "2004-10-01..2005-03-31", "2004-10-01..2004-12-31", "2004-10-01..2005-09-30",
            "@2005-03-31", "@2004-12-31", "2004-01-01..2004-03-31", "2004-10-01..2005-03-31",
            "2003-10-01..2004-09-30", "2004-07-01..2004-09-30"],
    "retail": ["2004-05-02..2004-07-31", "2004-02-01..2004-05-01", "2003-05-04..2003-08-02",
               "2004-02-01..2004-07-31", "2004-02-01..2004-05-01", "2004-02-01..2005-01-29",
               "@2004-07-31", "@2004-05-01", "2003-05-04..2003-08-02", "2004-02-01..2004-07-31",
               "2004-02-01..2005-01-29", "2004-10-31..2005-01-29"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_phrases_resolve_on_each_fiscal_calendar(name):
    ctx = calendar_context(name)
    got = {phrase: periods_of(phrase, ctx) for phrase in PHRASES}
    want = {phrase: (period(text),) for phrase, text in zip(PHRASES, EXPECTED[name])}
    assert got == want


def test_calendars_inferred_for_the_five_shapes():
    assert calendar_context("dec").calendar == FiscalCalendar(12)
    assert calendar_context("mar").calendar == FiscalCalendar(3)
    assert calendar_context("jun").calendar == FiscalCalendar(6)
    assert calendar_context("sep").calendar == FiscalCalendar(9)
    assert calendar_context("retail").calendar == FiscalCalendar(1, 5, True)
    assert calendar_context("retail").current == period("2004-05-02..2004-07-31")


# ---------------------------------------------------------------- every rule's example

RULE_EXPECTED = {  # in the March fiscal-year context (second quarter of fiscal 2005)
    "quarter_ordinal_year": ["2001-07-01..2001-09-30"],
    "quarter_year_ordinal": ["2004-07-01..2004-09-30"],
    "quarter_q_year": ["2004-10-01..2004-12-31"],
    "quarter_ordinal": ["2004-04-01..2004-06-30"],
    "quarter_prior_year_possessive": ["2003-07-01..2003-09-30"],
    "quarter_of_last_year": ["2003-07-01..2003-09-30"],
    "quarter_a_year_ago": ["2003-07-01..2003-09-30"],
    "quarter_year_ago_adjective": ["2003-07-01..2003-09-30"],
    "year_ago_in_quarter": ["2003-07-01..2003-09-30"],
    "quarters_this_and_last_year": ["2004-07-01..2004-09-30", "2003-07-01..2003-09-30"],
    "current": ["2004-07-01..2004-09-30"],
    "year_ago": ["2003-07-01..2003-09-30"],
    "compared_periods": ["2004-07-01..2004-09-30", "2003-07-01..2003-09-30"],
    "prior_quarter": ["2004-04-01..2004-06-30"],
    "year_to_date": ["2004-04-01..2004-09-30"],
    "first_n_months": ["2004-04-01..2004-09-30"],
    "half_year": ["2004-04-01..2004-09-30"],
    "months_ended": ["2003-01-01..2003-06-30"],
    "weeks_ended": ["2004-05-02..2004-07-31"],
    "quarter_ended": ["2003-04-01..2003-06-30"],
    "year_ended": ["2003-04-01..2004-03-31"],
    "fiscal_year_named": ["2003-04-01..2004-03-31"],
    "fiscal_year_current": ["2004-04-01..2005-03-31"],
    "prior_fiscal_year": ["2003-04-01..2004-03-31"],
    "last_n_years_each": ["2003-04-01..2004-03-31", "2002-04-01..2003-03-31"],
    "last_n_years": ["2002-04-01..2004-03-31"],
    "calendar_year": ["2002-01-01..2002-12-31"],
    "period_end": ["@2004-09-30"],
    "quarter_end_ordinal": ["@2004-06-30"],
    "quarter_start_with": ["@2004-06-30"],
    "quarter_start_at": ["@2004-06-30"],
    "fiscal_year_end": ["@2004-03-31"],
    "fiscal_year_end_named": ["@2004-03-31"],
    "as_of_date": ["@2003-06-30"],
    "date": ["2005-10-24..2005-10-24"],
    "month_year": ["2005-10-01..2005-10-31"],
    "month_alone": ["2004-09-01..2004-09-30"],
    "year_period": ["2002-07-01..2002-09-30"],
    "years_respectively": ["2003-07-01..2003-09-30", "2002-07-01..2002-09-30"],
    "for_the_year": ["2004-04-01..2005-03-31"],
    "year_alone": ["2005-07-01..2005-09-30"],
}


def test_every_rule_has_an_expected_resolution():
    assert {rule.id for rule in RULES} == set(RULE_EXPECTED)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_example_is_found_by_its_rule_and_resolves(rule):
    ctx = calendar_context("mar")
    mentions = [m for m in find_period_mentions(rule.example, RULES) if m.rule_id == rule.id]
    assert len(mentions) == 1
    assert resolve_periods(mentions[0], ctx) == tuple(map(period, RULE_EXPECTED[rule.id]))


# ---------------------------------------------------------------- the corpus releases

CORPUS_TABLES = {  # the tables' columns, read by hand
    "cpst-2003-07-17.txt": (D(2003, 7, 17), quarter_tables(
        "2003-04-01..2003-06-30", "2002-04-01..2002-06-30", "2003-01-01..2003-06-30",
        "2002-01-01..2002-06-30", "@2003-06-30", "@2002-12-31")),
    "cpst-2003-11-06.txt": (D(2003, 11, 6), quarter_tables(
        "2003-07-01..2003-09-30", "2002-07-01..2002-09-30", "2003-01-01..2003-09-30",
        "2002-01-01..2002-09-30", "@2003-09-30", "@2002-12-31")),
    "cpst-2004-11-04.txt": (D(2004, 11, 4), quarter_tables(
        "2004-07-01..2004-09-30", "2003-07-01..2003-09-30", "2004-04-01..2004-09-30",
        "2003-04-01..2003-09-30", "@2004-09-30", "@2004-03-31")),
    "cpst-2005-11-10.txt": (D(2005, 11, 10), quarter_tables(
        "2005-07-01..2005-09-30", "2004-07-01..2004-09-30", "2005-04-01..2005-09-30",
        "2004-04-01..2004-09-30", "@2005-09-30", "@2005-03-31")),
}


def corpus_text(doc: str) -> str:
    return (ROOT / "corpus" / doc).read_text(encoding="utf-8")


@pytest.mark.parametrize("doc, end_month", [
    ("cpst-2003-07-17.txt", 12), ("cpst-2003-11-06.txt", 12),
    ("cpst-2004-11-04.txt", 3), ("cpst-2005-11-10.txt", 3)])
def test_corpus_calendars(doc, end_month):
    release_date, tables = CORPUS_TABLES[doc]
    calendar = infer_calendar(corpus_text(doc), release_date, tables, RULES)
    assert calendar == FiscalCalendar(end_month)


@pytest.mark.parametrize("doc", ["cpst-2004-11-04.txt", "cpst-2005-11-10.txt"])
def test_fiscal_wording_alone_places_the_year_end(doc):
    """Only the quarter column: "second quarter of fiscal year 2005" puts the year end in March."""
    release_date, tables = CORPUS_TABLES[doc]
    calendar = infer_calendar(corpus_text(doc), release_date, tables[:1], RULES)
    assert calendar == FiscalCalendar(3)


def test_without_tables_the_prose_and_release_date_decide():
    text = "Capstone reported results for its second quarter of fiscal year 2005."
    ctx = build_context(text, D(2004, 11, 4), [], RULES)
    assert ctx.calendar == FiscalCalendar(3)
    assert ctx.current == period("2004-07-01..2004-09-30")
    dated = build_context("results for the quarter ended June 30, 2003", D(2003, 7, 17), [], RULES)
    assert dated.current == period("2003-04-01..2003-06-30")


def test_balance_sheet_year_end_column_when_nothing_else_says():
    tables = [period("2005-07-01..2005-09-30"), period("@2005-09-30"), period("@2005-06-30")]
    assert infer_calendar("", D(2005, 11, 1), tables, RULES) == FiscalCalendar(6)


def test_walmart_style_naming_by_end_year():
    _, _, tables = CALENDAR_TABLES["retail"]
    text = "Results for the second quarter of fiscal 2005."
    assert infer_calendar(text, D(2004, 8, 19), tables, RULES) == FiscalCalendar(1, 5, False)


@pytest.mark.parametrize("doc, phrase, want", [
    ("cpst-2003-07-17.txt", "$7.4 million for the second quarter of 2002",
     "2002-04-01..2002-06-30"),
    ("cpst-2003-07-17.txt", "We began the second quarter with 7.0 megawatts", "@2003-03-31"),
    ("cpst-2003-07-17.txt", "we begin the third quarter with a 5.1 megawatt", "@2003-06-30"),
    ("cpst-2003-07-17.txt", "The 2002 period included charges", "2002-04-01..2002-06-30"),
    ("cpst-2003-07-17.txt", "$7.7 million in the first quarter of 2003", "2003-01-01..2003-03-31"),
    ("cpst-2003-11-06.txt", "60% of the volume for the same period a year ago",
     "2002-07-01..2002-09-30"),
    ("cpst-2004-11-04.txt", "A year ago, we shipped 11.5 megawatts of product for the full year",
     "2003-04-01..2004-03-31"),
    ("cpst-2004-11-04.txt", "compared with the first quarter of this year",
     "2004-04-01..2004-06-30"),
    ("cpst-2004-11-04.txt", "Last quarter we received a benefit", "2004-04-01..2004-06-30"),
    ("cpst-2005-11-10.txt", "up over 120% from the prior year comparable quarter",
     "2004-07-01..2004-09-30"),
    ("cpst-2005-11-10.txt", "the first quarter of fiscal 2006", "2005-04-01..2005-06-30"),
    ("cpst-2005-11-10.txt", "35 points from the same quarter last fiscal year",
     "2004-07-01..2004-09-30"),
    ("cpst-2005-11-10.txt", "operating hours. (Sep. 29,\n2005.)", "2005-09-29..2005-09-29"),
])
def test_gold_phrases(doc, phrase, want):
    release_date, tables = CORPUS_TABLES[doc]
    ctx = build_context(corpus_text(doc), release_date, tables, RULES)
    assert periods_of(phrase, ctx)[0] == period(want)


def test_mentions_point_at_their_text_in_a_corpus_paragraph():
    text = corpus_text("cpst-2003-07-17.txt")
    paragraph = text[text.index("For the second quarter of 2003"):text.index("Interim CEO")]
    mentions = find_period_mentions(paragraph, RULES)
    assert [m.text for m in mentions] == [
        "second quarter of 2003", "second quarter of 2002", "second quarter of 2002"]
    assert all(paragraph[m.start:m.end] == m.text for m in mentions)
    assert mentions[1].ref is RefKind.QUARTER and mentions[1].group("year") == "2002"


# ---------------------------------------------------------------- arithmetic and levels

def test_year_ago_and_prior_quarter_arithmetic():
    assert year_ago(period("2004-01-01..2004-02-29")) == period("2003-01-01..2003-02-28")
    assert year_ago(period("@2005-02-28")) == period("@2004-02-29")
    assert year_ago(period("2004-05-02..2004-07-31")) == period("2003-05-04..2003-08-02")
    ctx = calendar_context("dec")
    assert prior_quarter(period("2003-01-01..2003-03-31"), ctx) == period("2002-10-01..2002-12-31")
    assert prior_quarter(period("@2003-06-30"), ctx) == period("@2003-03-31")


def test_a_53_week_year_has_a_14_week_fourth_quarter():
    ctx = calendar_context("retail")
    fourth = quarter_of_fiscal_year(4, 2006, ctx)
    assert fourth == period("2006-10-29..2007-02-03") and fourth.days == 98


def test_levels_and_flows_convert():
    ctx = calendar_context("mar")
    assert as_instant(period("2004-07-01..2004-09-30")) == period("@2004-09-30")
    assert as_span(period("@2004-09-30"), ctx) == period("2004-07-01..2004-09-30")


def test_unresolvable_phrases_give_none():
    ctx = calendar_context("mar")
    impossible = find_period_mentions("on February 30, 2005", RULES)
    assert [m.ref for m in impossible] == [RefKind.DATE] and resolve(impossible[0], ctx) is None
    blind = PeriodContext(None, FiscalCalendar(), None)
    assert resolve(find_period_mentions("a year ago", RULES)[0], blind) is None


# ---------------------------------------------------------------- rules file validation

GOOD_ROW = {"id": "x", "regex": "the quarter", "ref": "current", "example": "in the quarter"}


@pytest.mark.parametrize("rows, message", [
    ([dict(GOOD_ROW, note="extra")], "unknown keys"),
    ([{"id": "x", "regex": "the quarter", "ref": "current"}], "missing keys"),
    ([GOOD_ROW, GOOD_ROW], "duplicate id"),
    ([dict(GOOD_ROW, ref="someday")], "unknown ref"),
    ([dict(GOOD_ROW, regex="the (quarter")], "bad regex"),
    ([dict(GOOD_ROW, regex="the (?P<season>quarter)")], "unknown groups"),
    ([dict(GOOD_ROW, example="in the period")], "does not match its example"),
])
def test_bad_rules_are_rejected_naming_the_rule(rows, message):
    with pytest.raises(ValueError, match=message) as caught:
        compile_period_rules(rows)
    assert "'x'" in str(caught.value)


# ---------------------------------------------------------------- dateparser and odd input

@pytest.mark.parametrize("span", ["we", "$15", "15", "We", "Wed", "$15 million", "May"])
def test_read_date_refuses_non_dates(span):
    assert read_date(span) is None


def test_read_date_reads_abbreviated_months():
    assert read_date("(Oct. 24, 2005.)") == D(2005, 10, 24)
    assert read_date("Sept. 9, 2005") == D(2005, 9, 9)


def test_we_and_dollar_amounts_are_not_dates():
    sentence = "We said we spent $15 million and $15.9 million, up 15 from 2,500 units."
    assert find_period_mentions(sentence, RULES) == []


WORDS = ["the", "second", "quarter", "of", "2002", "fiscal", "year", "ago", "a", "June", "30,",
         "ended", "six", "months", "Oct.", "24,", "prior", "in", "and", "2003", "'05", "Q3",
         "began", "with", "end", "period", "last", "for", "full", "two", "years", "(", ")", "."]


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=200),
                 st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)))
def test_arbitrary_text_never_raises(text):
    ctx = calendar_context("retail")
    for mention in find_period_mentions(text, RULES):
        assert text[mention.start:mention.end] == mention.text
        assert all(isinstance(p, Period) for p in resolve_periods(mention, ctx))


# ---------------------------------------------------------------- rule gates

UNGATED = tuple(dataclasses.replace(rule, heads=None, pattern=regex.compile(
    periods._expand(rule.regex), regex.IGNORECASE | regex.ASCII | regex.V0)) for rule in RULES)


def test_the_costly_rules_are_gated():
    gated = {rule.id for rule in RULES if rule.heads is not None}
    assert {"quarter_ordinal", "year_ago", "date", "month_year", "month_alone",
            "prior_fiscal_year", "current"} <= gated
    assert len(gated) >= len(RULES) - 3


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.heads is not None],
                         ids=lambda rule: rule.id)
def test_rule_example_passes_its_gate(rule):
    match = rule.pattern.search(rule.example)
    word = regex.match(r"\w+", match.group(), regex.ASCII).group()
    assert word[:rulegates.HEAD].lower() in rule.heads
    assert rulegates.word_heads(rule.example, rule.heads)


GATE_WORDS = [
    "the", "The", "THE", "this", "a", "A", "one", "in", "In", "for", "during", "at", "as", "of",
    "second", "Second", "first", "third", "fourth", "2nd", "4th", "quarter", "quarters", "half",
    "fiscal", "Fiscal", "year", "years", "year's", "year-ago", "year-to-date", "ago", "earlier",
    "prior", "previous", "last", "same", "period", "months", "weeks", "six", "13", "26",
    "ended", "ending", "June", "Sept.", "Oct.", "may", "30,", "2003", "'05", "FY05", "fy 2004",
    "Q3", "q2", "calendar", "end", "began", "with", "sequentially", "and", "2002,", "ytd",
    "full", "each", "both", "between", "since", "mid-", "late", "(", ")", ".", ",", "-", "ſecond",
    "K", "İn", "quarter\xa0ended",
]


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=120),
    st.lists(st.tuples(st.sampled_from(GATE_WORDS),
                       st.sampled_from([" ", "  ", "\n", "\xa0", "", "-", ", "])),
             max_size=25).map(lambda pairs: "".join(word + gap for word, gap in pairs))))
def test_gated_and_ungated_scans_find_the_same_mentions(text):
    assert find_period_mentions(text, RULES) == find_period_mentions(text, UNGATED)


def test_gated_and_ungated_scans_agree_on_the_corpus_and_examples():
    texts = [corpus_text(doc) for doc in CORPUS_TABLES] + [rule.example for rule in RULES]
    texts += [text.upper() for text in texts]
    for text in texts:
        assert find_period_mentions(text, RULES) == find_period_mentions(text, UNGATED)


# ---------------------------------------------------------------- caching

def test_resolution_is_cached():
    ctx = calendar_context("mar")
    mention = find_period_mentions("as compared with $9.0 million a year ago", RULES)[0]
    hits = resolve_periods.cache_info().hits
    assert resolve_periods(mention, ctx) is resolve_periods(mention, ctx)
    assert resolve_periods.cache_info().hits > hits
