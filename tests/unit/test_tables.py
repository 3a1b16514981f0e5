"""The financial-table parser: the four corpus releases, synthetic statements of other shapes
(thousands / millions, 13/52-week calendars, three columns, net income, cp1252), the
integrity checks, and robustness on arbitrary text."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.document import read_release
from extractor.models import Period, Statement, Unit
from extractor.tables import check_integrity, extract_tables, parse_table, read_table

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tables"

RELEASES = ["cpst-2003-07-17.txt", "cpst-2003-11-06.txt", "cpst-2004-11-04.txt",
            "cpst-2005-11-10.txt"]

# Counted by hand from the files: rows with figures x columns, less blank cells.
FACTS_PER_STATEMENT = {
    # balance sheet 32 rows x 2; operations 16 x 4; cash flows 32 x 2 less one blank cell
    "cpst-2003-07-17.txt": {Statement.BALANCE_SHEET: 64, Statement.OPERATIONS: 64,
                            Statement.CASH_FLOWS: 63},
    # 32 x 2; 16 x 4; 32 x 2
    "cpst-2003-11-06.txt": {Statement.BALANCE_SHEET: 64, Statement.OPERATIONS: 64,
                            Statement.CASH_FLOWS: 64},
    # 33 x 2; 15 x 4; 30 x 2
    "cpst-2004-11-04.txt": {Statement.BALANCE_SHEET: 66, Statement.OPERATIONS: 60,
                            Statement.CASH_FLOWS: 60},
    # 34 x 2; 15 x 4 (no cash flow statement in this release)
    "cpst-2005-11-10.txt": {Statement.BALANCE_SHEET: 68, Statement.OPERATIONS: 60},
}
FACTS_PER_RELEASE = {"cpst-2003-07-17.txt": 191, "cpst-2003-11-06.txt": 192,
                     "cpst-2004-11-04.txt": 186, "cpst-2005-11-10.txt": 128}


@lru_cache(maxsize=None)
def corpus(name: str):
    release = read_release(CORPUS / name)
    facts, checks = extract_tables(release)
    return release, facts, checks


def fixture(name: str, encoding: str = "ascii") -> str:
    return (FIXTURES / name).read_bytes().decode(encoding)


def parse(text: str):
    return parse_table("synthetic.txt", text, 0, len(text))


def only(facts, line: str, period: Period):
    found = [fact for fact in facts if fact.line == line and fact.period == period]
    assert len(found) == 1, (line, period, found)
    return found[0]


def quarter(start: str, end: str) -> Period:
    return Period.span(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def instant(day: str) -> Period:
    return Period.at(dt.date.fromisoformat(day))


# ----------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("name", RELEASES)
def test_every_figure_of_every_statement_is_a_fact(name):
    _, facts, _ = corpus(name)
    assert len(facts) == FACTS_PER_RELEASE[name]
    assert Counter(fact.statement for fact in facts) == FACTS_PER_STATEMENT[name]


@pytest.mark.parametrize("name", RELEASES)
def test_offsets_and_line_numbers_point_at_the_printed_figure(name):
    release, facts, _ = corpus(name)
    for fact in facts:
        assert release.text[fact.start:fact.end] == fact.printed
        assert release.text.count("\n", 0, fact.start) + 1 == fact.line_no
        assert fact.doc == name and fact.exhibit == "EX-99.1"


@pytest.mark.parametrize("name", RELEASES)
def test_every_column_resolves_to_a_period(name):
    _, facts, _ = corpus(name)
    for fact in facts:
        if fact.statement == Statement.BALANCE_SHEET:
            assert fact.period.is_instant, fact
        else:
            assert fact.period.start is not None and fact.period.end is not None, fact


def test_squeezed_figures_are_split():
    _, facts, _ = corpus("cpst-2003-11-06.txt")
    september = only(facts, "accumulated deficit", instant("2003-09-30"))
    december = only(facts, "accumulated deficit", instant("2002-12-31"))
    assert (september.printed, september.value) == ("(384,671,000)", Decimal(-384671000))
    assert (december.printed, december.value) == ("(358,646,000)", Decimal(-358646000))

    _, facts, _ = corpus("cpst-2005-11-10.txt")
    quarter_2004 = only(facts, "net loss", quarter("2004-07-01", "2004-09-30"))
    half_2005 = only(facts, "net loss", quarter("2005-04-01", "2005-09-30"))
    assert quarter_2004.value == Decimal(-9147000) and quarter_2004.printed == "(9,147,000)"
    assert half_2005.value == Decimal(-21064000) and half_2005.printed == "(21,064,000)"


def test_amounts_inside_a_wrapped_label_are_not_figures():
    _, facts, _ = corpus("cpst-2004-11-04.txt")
    label = ("Accounts receivable, net of allowance for doubtful accounts and sales returns of "
             "$561,000 at September 30, 2004 and $479,000 at March 31, 2004")
    receivables = [fact for fact in facts if fact.label == label]
    assert [(fact.value, fact.period) for fact in receivables] == [
        (Decimal(1323000), instant("2004-09-30")), (Decimal(4170000), instant("2004-03-31"))]
    assert not [fact for fact in facts if fact.value in (Decimal(561000), Decimal(479000))]


def test_operations_columns_values_and_units():
    _, facts, _ = corpus("cpst-2004-11-04.txt")
    revenue = only(facts, "revenues", quarter("2004-07-01", "2004-09-30"))
    assert revenue.value == Decimal(3925000) and revenue.unit == Unit.USD
    assert revenue.column == "Three Months Ended September 30, 2004"
    assert revenue.caption == ("CAPSTONE TURBINE CORPORATION / CONSOLIDATED STATEMENTS OF "
                               "OPERATIONS / (Unaudited)")
    six_months = only(facts, "revenues", quarter("2004-04-01", "2004-09-30"))
    assert six_months.value == Decimal(6880000)
    assert six_months.column == "Six Months Ended September 30, 2004"

    eps = only(facts, "net loss per share of common stock basic and diluted",
               quarter("2004-07-01", "2004-09-30"))
    assert (eps.value, eps.unit, eps.printed) == (Decimal("-0.11"), Unit.USD_PER_SHARE, "(0.11)")
    assert eps.label == "Net Loss Per Share of Common Stock - Basic and Diluted"
    shares = only(facts, "weighted average common shares outstanding",
                  quarter("2004-07-01", "2004-09-30"))
    assert (shares.value, shares.unit) == (Decimal(84358761), Unit.SHARES)
    gross = only(facts, "gross loss", quarter("2004-07-01", "2004-09-30"))
    assert (gross.printed, gross.value) == ("(1,700,000)", Decimal(-1700000))
    nil = only(facts, "provision for income taxes", quarter("2004-07-01", "2004-09-30"))
    assert (nil.printed, nil.value) == ("-", Decimal(0))


def test_balance_sheet_lines_in_order_with_totals_named_and_headings_dropped():
    _, facts, _ = corpus("cpst-2004-11-04.txt")
    lines = [fact.line for fact in facts if fact.statement == Statement.BALANCE_SHEET
             and fact.period == instant("2004-09-30")]
    assert lines == [
        "cash and cash equivalents",
        "accounts receivable net of allowance for doubtful accounts and sales returns of "
        "561 000 at september 30 2004 and 479 000 at march 31 2004",
        "inventory", "prepaid expenses and other current assets", "total current assets",
        "machinery equipment and furniture", "leasehold improvements", "molds and tooling",
        "equipment and leasehold improvements subtotal",
        "less accumulated depreciation and amortization",
        "total equipment and leasehold improvements",
        "non current portion of inventory", "intangible asset net", "other assets",
        "total assets",
        "accounts payable", "accrued salaries and wages", "other accrued liabilities",
        "accrued warranty reserve", "deferred revenue", "current portion of notes payable",
        "total current liabilities",
        "long term portion of notes payable and capital lease obligations",
        "other long term liabilities", "commitments and contingencies",
        "preferred stock 001 par value 10 000 000 shares authorized none issued",
        "common stock 001 par value 415 000 000 shares authorized 85 285 708 shares issued and "
        "84 734 500 shares outstanding at september 30 2004 85 025 817 shares issued and "
        "84 474 609 shares outstanding at march 31 2004",
        "additional paid in capital", "accumulated deficit", "deferred stock compensation",
        "less treasury stock at cost 551 208 shares", "total stockholders equity",
        "total liabilities and stockholders equity"]
    totals = [fact for fact in facts if fact.label == "Total"]
    assert {fact.line for fact in totals} == {"total assets",
                                              "total liabilities and stockholders equity"}
    subtotal = only(facts, "equipment and leasehold improvements subtotal", instant("2004-09-30"))
    assert (subtotal.label, subtotal.value) == ("Subtotal", Decimal(32023000))
    assert all(fact.unit == Unit.USD for fact in facts
               if fact.statement == Statement.BALANCE_SHEET)


def test_wrapped_labels_without_rule_lines():
    _, facts, _ = corpus("cpst-2003-07-17.txt")
    lines = [fact.line for fact in facts if fact.statement == Statement.OPERATIONS
             and fact.period == quarter("2003-04-01", "2003-06-30")]
    assert lines == [
        "revenues", "cost of goods sold", "gross loss", "research and development",
        "selling general and administrative", "impairment loss on marketing rights",
        "total operating expenses", "loss from operations", "interest income",
        "interest expense", "other income expense net", "loss before income taxes",
        "provision for income taxes", "net loss", "weighted average common shares outstanding",
        "net loss per share of common stock basic and diluted"]


def test_missing_cell_and_supplemental_lines():
    _, facts, _ = corpus("cpst-2003-07-17.txt")
    reversal = [fact for fact in facts
                if fact.line == "non cash reversal of administrative expenses"]
    assert [(fact.value, fact.period) for fact in reversal] == [
        (Decimal(-1099000), quarter("2003-01-01", "2003-06-30"))]
    _, facts, _ = corpus("cpst-2004-11-04.txt")
    interest = [fact.value for fact in facts if fact.line == "interest"]
    assert interest == [Decimal(35000), Decimal(116000)]
    taxes = [(fact.printed, fact.value) for fact in facts if fact.line == "income taxes"]
    assert taxes == [("2,000", Decimal(2000)), ("-", Decimal(0))]


# ----------------------------------------------------------------------------- integrity


@pytest.mark.parametrize("name", ["cpst-2003-07-17.txt", "cpst-2003-11-06.txt",
                                  "cpst-2004-11-04.txt"])
def test_integrity_checks_hold_in_the_releases(name):
    _, _, checks = corpus(name)
    kinds = Counter(check.check for check in checks)
    assert kinds["balance_sheet_balances"] == 2
    assert kinds["cash_roll_forward"] == 2
    assert kinds["gross_result"] == 4 and kinds["net_result"] == 4
    assert [check for check in checks if not check.ok] == []


def test_printed_totals_are_checked_where_rule_lines_show_them():
    _, _, checks = corpus("cpst-2004-11-04.txt")
    totals = {(check.lines[0], str(check.period)) for check in checks
              if check.check == "printed_total" and check.ok}
    assert ("total current assets", "2004-09-30") in totals
    assert ("total equipment and leasehold improvements", "2004-03-31") in totals
    assert ("net cash used in operating activities", "2004-04-01..2004-09-30") in totals
    assert ("total operating costs and expenses", "2003-07-01..2003-09-30") in totals
    # the grand total sums lines of several levels: no range can be told, so no check
    assert not any(line == "total assets" for line, _ in totals)


def test_the_2005_release_does_not_add_up_and_that_is_reported():
    """March 31, 2005 equity: 85 + 530,391 - 453,469 - 356 - 513 = 76,138, printed 76,678."""
    _, _, checks = corpus("cpst-2005-11-10.txt")
    failing = [check for check in checks if not check.ok]
    assert [(check.check, check.lines[0], check.period, check.expected, check.actual)
            for check in failing] == [("printed_total", "total stockholders equity",
                                       instant("2005-03-31"), Decimal(76138000),
                                       Decimal(76678000))]
    assert Counter(check.check for check in checks if check.ok)["net_result"] == 4


def test_an_altered_figure_fails_its_checks():
    text = (CORPUS / "cpst-2004-11-04.txt").read_text()
    text = text.replace("Revenues          $3,925,000", "Revenues          $3,952,000")
    text = text.replace(" Inventory                                    9,795,000",
                        " Inventory                                    9,759,000")
    _, checks = extract_tables(read_release(text, "altered.txt"))
    failing = {(check.check, check.lines[0], str(check.period)) for check in checks
               if not check.ok}
    assert failing == {("gross_result", "gross loss", "2004-07-01..2004-09-30"),
                       ("printed_total", "total current assets", "2004-09-30")}
    gross = next(check for check in checks if check.check == "gross_result" and not check.ok)
    assert (gross.expected, gross.actual) == (Decimal(-1673000), Decimal(-1700000))


def test_check_integrity_on_facts_alone_runs_the_label_checks():
    release, facts, _ = corpus("cpst-2003-11-06.txt")
    checks = check_integrity(facts)
    assert {check.check for check in checks} == {"balance_sheet_balances", "cash_roll_forward",
                                                 "gross_result", "net_result"}
    assert all(check.ok for check in checks)


# ----------------------------------------------------------------------------- other layouts


def test_thirteen_and_twenty_six_weeks_in_thousands_with_net_income():
    facts = parse(fixture("retail_weeks.txt"))
    assert len(facts) == 14 * 4
    q2 = quarter("2004-04-04", "2004-07-03")
    sales = only(facts, "net sales", q2)
    assert (sales.value, sales.column) == (Decimal(812344000), "13 Weeks Ended July 3, 2004")
    assert only(facts, "net sales", quarter("2003-04-06", "2003-07-05")).value == 760118000
    assert only(facts, "net income", quarter("2004-01-04", "2004-07-03")).value == 55148000
    basic_eps, basic_shares = [fact for fact in facts if fact.line == "basic" and fact.period == q2]
    assert (basic_eps.unit, basic_eps.value) == (Unit.USD_PER_SHARE, Decimal("0.71"))
    assert (basic_shares.unit, basic_shares.value) == (Unit.SHARES, Decimal(43502))
    table = read_table("retail.txt", fixture("retail_weeks.txt"), 0, 10 ** 6)
    checks = check_integrity(table.facts, table.totals)
    assert len(checks) == 8 and all(check.ok for check in checks)


def test_quarter_and_year_in_millions_with_income_beside_loss():
    facts = parse(fixture("annual_millions.txt"))
    assert len(facts) == 11 * 4
    q4 = quarter("2004-10-01", "2004-12-31")
    year = quarter("2004-01-01", "2004-12-31")
    revenue = only(facts, "revenues", q4)
    assert (revenue.value, revenue.printed, revenue.column) == (
        Decimal(8781000000), "8,781", "Quarter Ended December 31, 2004")
    assert only(facts, "revenues", year).value == Decimal(31455000000)
    assert only(facts, "net income loss", q4).value == Decimal(819000000)
    assert only(facts, "net income loss", quarter("2003-10-01", "2003-12-31")).value == \
        Decimal(-212000000)
    margin = only(facts, "gross margin", year)
    assert (margin.unit, margin.value) == (Unit.PERCENT, Decimal("35.2"))
    eps = only(facts, "net income loss per share diluted", quarter("2003-10-01", "2003-12-31"))
    assert (eps.unit, eps.value) == (Unit.USD_PER_SHARE, Decimal("-0.11"))
    shares = only(facts, "shares used in computing diluted net income per share", q4)
    assert (shares.unit, shares.value) == (Unit.SHARES, Decimal(2001))
    assert only(facts, "restructuring charges", q4).value == 0
    checks = check_integrity(facts)
    assert len(checks) == 8 and all(check.ok for check in checks)


def test_fifty_two_and_fifty_three_week_fiscal_years():
    facts = parse(fixture("fiscal_year_weeks.txt"))
    assert len(facts) == 12
    assert {fact.period for fact in facts} == {quarter("2004-02-01", "2005-01-29"),
                                               quarter("2003-01-26", "2004-01-31")}
    assert only(facts, "net revenue", quarter("2004-02-01", "2005-01-29")).value == 1204551000
    loss = only(facts, "operating income loss", quarter("2003-01-26", "2004-01-31"))
    assert loss.value == Decimal(-17154000)


def test_three_columns_under_one_spanning_header():
    facts = parse(fixture("three_columns.txt"))
    assert len(facts) == 8 * 3
    assert [fact.column for fact in facts[:3]] == [
        "Three Months Ended September 30, 2004", "Three Months Ended June 30, 2004",
        "Three Months Ended September 30, 2003"]
    assert only(facts, "license", quarter("2004-04-01", "2004-06-30")).value == 11980000
    assert not [fact for fact in facts if fact.line == "revenue"]  # a heading, not a line
    text = fixture("three_columns.txt")
    table = read_table("acme.txt", text, 0, len(text))
    checks = check_integrity(table.facts, table.totals)
    assert Counter(check.check for check in checks) == {"gross_result": 3, "printed_total": 3}
    assert all(check.ok for check in checks)


def test_balance_sheet_in_thousands_with_headings_without_colons():
    text = fixture("balance_sheet_thousands.txt")
    table = read_table("acme.txt", text, 0, len(text))
    assert len(table.facts) == 13 * 2
    assert {fact.line for fact in table.facts} >= {"total assets", "total current assets",
                                                   "total liabilities and stockholders equity"}
    assert not {"assets", "current assets", "current liabilities"} & {
        fact.line for fact in table.facts}
    debt = only(table.facts, "long term debt", instant("2004-09-30"))
    assert (debt.printed, debt.value) == ("--", 0)
    checks = check_integrity(table.facts, table.totals)
    assert Counter(check.check for check in checks) == {"balance_sheet_balances": 2,
                                                        "printed_total": 8}
    assert all(check.ok for check in checks)


def test_a_blank_cell_is_left_out_and_the_other_column_kept():
    facts = parse(fixture("cash_flows_missing_cell.txt"))
    assert len(facts) == 17
    gain = [fact for fact in facts if fact.line == "gain on sale of building"]
    assert [(fact.value, fact.period) for fact in gain] == [
        (Decimal(-1300000), quarter("2004-01-01", "2004-12-31"))]
    checks = check_integrity(facts)
    assert [check.check for check in checks] == ["cash_roll_forward"] * 2
    assert all(check.ok for check in checks)


def test_cp1252_text_with_crlf_nbsp_and_en_dash():
    text = fixture("cp1252_utility.txt", "cp1252")
    facts = parse(text)
    assert len(facts) == 14
    revenue = only(facts, "operating revenues", quarter("2005-01-01", "2005-03-31"))
    assert revenue.value == Decimal(12840000)
    storm = only(facts, "storm restoration", quarter("2005-01-01", "2005-03-31"))
    assert (storm.printed, storm.value) == ("\u2013", Decimal(0))
    assert only(facts, "customers deposits", quarter("2004-01-01", "2004-03-31")).value == -58000
    assert all(text[fact.start:fact.end] == fact.printed for fact in facts)


HEADED_LIST = """\
                         EXAMPLE CORP.
              CONSOLIDATED STATEMENTS OF OPERATIONS
          (in thousands, except per share data; shares in thousands)

                                            Year Ended December 31,
                                            2004              2003
Revenues
  Product                              $  4,200          $  3,900
  Service                                 1,100             1,000
Cost of goods
  sold                                    3,000             2,800
Basic shares                              1,500             1,450
"""


def test_a_heading_without_colon_over_a_list_and_a_wrapped_label():
    facts = parse(HEADED_LIST)
    year = quarter("2004-01-01", "2004-12-31")
    assert [fact.line for fact in facts if fact.period == year] == [
        "product", "service", "cost of goods sold", "basic shares"]
    shares = only(facts, "basic shares", year)
    assert (shares.unit, shares.value) == (Unit.SHARES, Decimal(1500000))


def test_an_unknown_statement_keeps_its_caption():
    text = """\
                      EXAMPLE CORP.
                 SELECTED SEGMENT DATA
                     (in millions)
                               2004        2003
Segment A                     $ 120       $ 110
Segment B                        80          75
"""
    facts = parse(text)
    assert {fact.statement for fact in facts} == {Statement.OTHER}
    assert facts[0].caption == "EXAMPLE CORP. / SELECTED SEGMENT DATA / (in millions)"
    assert facts[0].value == Decimal(120000000)


def test_a_footnote_mark_right_of_the_figures_is_not_a_figure():
    text = """\
                      EXAMPLE CORP.
                  STATEMENTS OF INCOME
                                  Year Ended December 31,
                                   2004              2003
Revenues                       $  1,200          $  1,100
Net income                           80                75 (1)
"""
    facts = parse(text)
    assert [(fact.line, fact.value) for fact in facts] == [
        ("revenues", 1200), ("revenues", 1100), ("net income", 80), ("net income", 75)]


def test_a_balance_sheet_that_does_not_balance_is_reported():
    text = fixture("balance_sheet_thousands.txt").replace(
        "    Total assets                              $ 76,354",
        "    Total assets                              $ 76,534")
    table = read_table("acme.txt", text, 0, len(text))
    failing = [(check.check, str(check.period)) for check in
               check_integrity(table.facts, table.totals) if not check.ok]
    assert sorted(failing) == [("balance_sheet_balances", "2004-09-30"),
                               ("printed_total", "2004-09-30")]


def test_no_gross_check_when_no_column_bears_the_lines_out():
    """A gross profit printed after depreciation is revenue less cost of sales in no column:
    the lines are not what their names suggest, and no failing check is made up."""
    text = fixture("retail_weeks.txt").replace("272,224     250,757      528,863     489,528",
                        "253,991     233,747      492,862     455,658")
    checks = check_integrity(parse(text))
    assert [check.check for check in checks] == ["net_result"] * 4


# ----------------------------------------------------------------------------- robustness


TABLE_ALPHABET = st.sampled_from(list("0123456789,.()$-=% \n\t\xa0abcAB:") +
                                 ["2004", "September 30,", "Three Months Ended", "Total",
                                  "  ", "      ", "(1,234)", "$(9,147,000)", "--", "\r\n"])


@settings(max_examples=150, deadline=None)
@given(st.lists(TABLE_ALPHABET, max_size=120).map("".join), st.integers(-5, 400),
       st.integers(-5, 400))
def test_parse_table_never_raises_and_offsets_hold(text, start, end):
    for fact in parse_table("fuzz.txt", text, start, end):
        assert text[fact.start:fact.end] == fact.printed


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_parse_table_never_raises_on_any_text(text):
    for fact in parse_table("fuzz.txt", text, 0, len(text)):
        assert text[fact.start:fact.end] == fact.printed


def test_share_words_are_seen_as_the_case_blind_patterns_see_them():
    from extractor.tables import _has_share_word
    assert _has_share_word("Weighted average SHARES outstanding")
    assert _has_share_word("Diluted EPS")
    assert _has_share_word("\u017fhares used in computing")  # long s: re.I matches it as s
    assert not _has_share_word("Total revenue")
