"""Reconciliation against hand-built facts that mirror the corpus tables, and the gold verdicts."""
from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.document import read_release
from extractor.models import (Claim, Fact, Kind, Period, Qualifier, Statement, Status, Unit,
                              normalize_label)
from extractor.reconcile import (corroborate, find_restatements, reconcile, reconcile_issuer,
                                 table_precision)
from extractor.resources import load_resources
from extractor.tables import extract_tables

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "data" / "gold_claims.jsonl"
METRICS = load_resources().metrics

D = dt.date
OPS, BS, CF = Statement.OPERATIONS, Statement.BALANCE_SHEET, Statement.CASH_FLOWS


def months(year: int, month: int, day: int, count: int) -> Period:
    return Period.months_ending(D(year, month, day), count)


def at(year: int, month: int, day: int) -> Period:
    return Period.at(D(year, month, day))


# ---------------------------------------------------------------------------------------------
# A fact factory: a table as text rows "Label | figure figure ...", figures as printed.

_offsets = itertools.count(0, 20)


def printed_value(token: str, scale: Decimal) -> Decimal:
    if token.strip("$") in ("-", "--"):
        return Decimal(0)
    digits = re.sub(r"[^\d.]", "", token)
    value = Decimal(digits) * scale
    return -value if "(" in token else value


def unit_of(label: str) -> Unit:
    if "per share" in label.lower():
        return Unit.USD_PER_SHARE
    if "shares" in label.lower():
        return Unit.SHARES
    return Unit.USD


def table(doc: str, statement: Statement, periods: list[Period], rows: str,
          caption: str = "", scale: Decimal = Decimal(1), first_line: int = 100) -> list[Fact]:
    facts = []
    for line_no, row in enumerate(filter(None, map(str.strip, rows.splitlines())), first_line):
        label, figures = (part.strip() for part in row.split("|"))
        for column, (period, token) in enumerate(zip(periods, figures.split(), strict=True)):
            start = next(_offsets)
            facts.append(Fact(doc=doc, statement=statement, caption=caption or statement.value,
                              label=label, line=normalize_label(label), period=period,
                              column=f"col{column}", value=printed_value(token, scale),
                              printed=token, unit=unit_of(label), start=start,
                              end=start + len(token), line_no=line_no))
    return facts


def claim(metric: str, value: str, period: Period | None, *, doc: str = "r.txt",
          kind: Kind = Kind.AMOUNT, unit: Unit = Unit.USD, precision: str = "100000",
          qualifier: Qualifier | None = None, base: Period | None = None,
          segment: str | None = None, value_high: str | None = None) -> Claim:
    return Claim(doc=doc, start=0, end=len(value), text=value, sentence=value, metric=metric,
                 label=metric, kind=kind, value=Decimal(value), unit=unit, qualifier=qualifier,
                 period=period, base_period=base, segment=segment, speaker=None, rule="test",
                 value_high=Decimal(value_high) if value_high else None,
                 precision=Decimal(precision))


def judge(one: Claim, facts: list[Fact]) -> Claim:
    return reconcile([one], facts, METRICS)[0]


# ---------------------------------------------------------------------------------------------
# The corpus tables, transcribed (the lines the gold notes use, plus neighbours that must not
# be mistaken for them).

R1, R2, R3, R4 = "cpst-2003-07-17.txt", "cpst-2003-11-06.txt", "cpst-2004-11-04.txt", "cpst-2005-11-10.txt"
EPS = "Net Loss Per Share of Common Stock - Basic and Diluted"
SHARES = "Weighted Average Common Shares Outstanding"

CORPUS = (
    table(R1, OPS, [months(2003, 6, 30, 3), months(2002, 6, 30, 3), months(2003, 6, 30, 6),
                    months(2002, 6, 30, 6)], f"""
        Revenues | $4,132,000 $7,408,000 $6,914,000 $11,999,000
        Cost of Goods Sold | 6,739,000 11,631,000 11,695,000 19,180,000
        Gross Loss | (2,607,000) (4,223,000) (4,781,000) (7,181,000)
        Research and development | 2,450,000 1,619,000 3,456,000 3,058,000
        Selling, general and administrative | 4,676,000 9,650,000 9,497,000 18,010,000
        Impairment loss on Marketing Rights | - 15,999,000 - 15,999,000
        Total operating expenses | 7,126,000 27,268,000 12,953,000 37,067,000
        Loss from Operations | (9,733,000) (31,491,000) (17,734,000) (44,248,000)
        Net Loss | $(9,398,000) $(30,835,000) $(17,033,000) $(42,865,000)
        {SHARES} | 81,231,192 77,453,602 81,289,027 77,420,588
        {EPS} | $(0.12) $(0.40) $(0.21) $(0.55)""")
    + table(R1, BS, [at(2003, 6, 30), at(2002, 12, 31)], """
        Cash and cash equivalents | $126,369,000 $140,310,000
        Deposits on Fixed Assets | 6,000 708,000
        Other Assets | 494,000 532,000
        Long-Term Portion of Capital Lease Obligations | 502,000 974,000""", first_line=50)
    + table(R1, CF, [months(2003, 6, 30, 6), months(2002, 6, 30, 6)], """
        Net loss | $(17,033,000) $(42,865,000)
        Inventory write-down | 167,000 2,853,000
        Net Decrease in Cash and Cash Equivalents | (13,941,000) (15,742,000)
        Cash and Cash Equivalents, Beginning of Period | 140,310,000 170,868,000
        Cash and Cash Equivalents, End of Period | $126,369,000 $155,126,000""", first_line=200)
    + table(R2, OPS, [months(2003, 9, 30, 3), months(2002, 9, 30, 3), months(2003, 9, 30, 9),
                      months(2002, 9, 30, 9)], f"""
        Revenues | $2,347,000 $3,887,000 $9,261,000 $15,886,000
        Cost of Goods Sold | 4,551,000 6,301,000 16,246,000 25,481,000
        Gross Loss | (2,204,000) (2,414,000) (6,985,000) (9,595,000)
        Research and development | 2,402,000 1,880,000 5,858,000 4,938,000
        Selling, general and administrative | 4,643,000 7,057,000 14,140,000 25,067,000
        Total operating costs and expenses | 7,045,000 8,937,000 19,998,000 46,004,000
        Loss from Operations | (9,249,000) (11,351,000) (26,983,000) (55,599,000)
        Net Loss | $(8,992,000) $(10,758,000) $(26,025,000) $(53,623,000)
        {SHARES} | 82,116,448 77,526,602 81,959,287 77,455,926
        {EPS} | $(0.11) $(0.14) $(0.32) $(0.69)""")
    + table(R2, BS, [at(2003, 9, 30), at(2002, 12, 31)], """
        Cash and cash equivalents | $119,949,000 $140,310,000
        Other Assets | 492,000 1,240,000
        Long-Term Portion of Capital Lease Obligations | 251,000 974,000""", first_line=50)
    + table(R2, CF, [months(2003, 9, 30, 9), months(2002, 9, 30, 9)], """
        Net Decrease in Cash and Cash Equivalents | (20,361,000) (26,535,000)
        Cash and Cash Equivalents, Beginning of Period | 140,310,000 170,868,000
        Cash and Cash Equivalents, End of Period | $119,949,000 $144,333,000""", first_line=200)
    + table(R3, OPS, [months(2004, 9, 30, 3), months(2003, 9, 30, 3), months(2004, 9, 30, 6),
                      months(2003, 9, 30, 6)], f"""
        Revenues | $3,925,000 $2,347,000 $6,880,000 $6,479,000
        Cost of Goods Sold | 5,625,000 4,551,000 10,715,000 11,290,000
        Gross Loss | (1,700,000) (2,204,000) (3,835,000) (4,811,000)
        Research and development | 2,919,000 2,402,000 6,333,000 4,852,000
        Selling, general and administrative | 5,193,000 4,643,000 10,401,000 9,319,000
        Total operating costs and expenses | 8,112,000 7,045,000 16,734,000 14,171,000
        Loss from Operations | (9,812,000) (9,249,000) (20,569,000) (18,982,000)
        Net Loss | $(9,147,000) $(8,992,000) $(19,681,000) $(18,390,000)
        {SHARES} | 84,358,761 81,788,427 84,299,279 81,511,505
        {EPS} | $(0.11) $(0.11) $(0.23) $(0.23)""")
    + table(R3, BS, [at(2004, 9, 30), at(2004, 3, 31)], """
        Cash and cash equivalents | $86,433,000 $102,380,000""", first_line=50)
    + table(R3, CF, [months(2004, 9, 30, 6), months(2003, 9, 30, 6)], """
        Net Decrease in Cash and Cash Equivalents | (15,947,000) (12,635,000)
        Cash and Cash Equivalents, Beginning of Period | 102,380,000 132,584,000
        Cash and Cash Equivalents, End of Period | $86,433,000 $119,949,000""", first_line=200)
    + table(R4, OPS, [months(2005, 9, 30, 3), months(2004, 9, 30, 3), months(2005, 9, 30, 6),
                      months(2004, 9, 30, 6)], f"""
        Revenues | $5,705,000 $3,925,000 $9,512,000 $6,880,000
        Cost of Goods Sold | 6,768,000 6,039,000 13,992,000 11,470,000
        Gross Loss | (1,063,000) (2,114,000) (4,480,000) (4,590,000)
        Research and development | 2,728,000 2,919,000 4,833,000 6,333,000
        Selling, general and administrative | 6,788,000 4,779,000 12,525,000 9,646,000
        Total operating expenses | 9,516,000 7,698,000 17,358,000 15,979,000
        Loss from Operations | (10,579,000) (9,812,000) (21,838,000) (20,569,000)
        Net Loss | $(10,199,000) $(9,147,000) $(21,064,000) $(19,681,000)
        {SHARES} | 84,954,753 84,358,761 84,673,382 84,299,279
        {EPS} | $(0.12) $(0.11) $(0.25) $(0.23)""")
    + table(R4, BS, [at(2005, 9, 30), at(2005, 3, 31)], """
        Cash and cash equivalents | $44,051,000 $63,593,000""", first_line=50)
)


# ---------------------------------------------------------------------------------------------
# Gold lines as claims

SCALES = {"thousand": Decimal(10) ** 3, "million": Decimal(10) ** 6, "billion": Decimal(10) ** 9}


def precision_of(text: str) -> Decimal:
    """The unit of the last stated digit: "$3.9 million" -> 100000, "($0.12)" -> 0.01, "46%" -> 1."""
    scale = next((size for word, size in SCALES.items() if word in text.lower()), Decimal(1))
    number = re.search(r"\d[\d,]*(?:\.(\d+))?", text)
    decimals = len(number.group(1) or "") if number else 0
    return scale * Decimal(1).scaleb(-decimals)


def gold_claim(row: dict) -> Claim:
    return Claim(doc=row["doc"], start=0, end=len(row["text"]), text=row["text"],
                 sentence=row["anchor"], metric=row["metric"], label=row["metric"],
                 kind=Kind(row["kind"]), value=Decimal(row["value"]), unit=Unit(row["unit"]),
                 qualifier=Qualifier(row["qualifier"]) if row.get("qualifier") else None,
                 period=Period.from_dict(row["period"]),
                 base_period=Period.from_dict(row.get("base_period")),
                 segment=row.get("segment"), speaker=None, rule="gold",
                 value_high=Decimal(row["value_high"]) if row.get("value_high") else None,
                 precision=precision_of(row["text"]))


def gold_rows() -> list[dict]:
    return [json.loads(line, parse_float=Decimal) for line in GOLD.read_text().splitlines() if line]


def assert_gold(rows: list[dict], judged: list[Claim]) -> None:
    wrong = []
    for row, got in zip(rows, judged, strict=True):
        expected = row.get("table_value")
        ok = got.status.value == row["status"]
        if expected is None:
            ok = ok and got.table_value is None
        else:
            ok = ok and got.table_value is not None and \
                abs(got.table_value - Decimal(expected)) <= abs(Decimal(expected)) / 1000
            ok = ok and got.evidence.cross_release == bool(row.get("cross_release"))
        if not ok:
            wrong.append((row["doc"], row["text"], row["status"], expected, got.status.value,
                          got.table_value, got.evidence and got.evidence.formula))
    assert not wrong, "\n".join(map(str, wrong))


def test_precision_helper_reads_the_last_stated_digit():
    assert precision_of("$3.9 million") == Decimal(100000)
    assert precision_of("($0.12) per share") == Decimal("0.01")
    assert precision_of("approximately 46%") == 1
    assert precision_of("Ten million hours") == Decimal(10) ** 6


def test_every_gold_line_against_the_transcribed_tables():
    rows = gold_rows()
    assert len(rows) == 118
    judged = reconcile([gold_claim(row) for row in rows], CORPUS, METRICS)
    assert_gold(rows, judged)


def test_gold_claims_restated_by_the_later_release_keep_their_own_verdict():
    rows = gold_rows()
    judged = {(row["doc"], row["text"], row["metric"], row["kind"]): claim
              for row, claim in zip(rows, reconcile([gold_claim(row) for row in rows], CORPUS, METRICS))}
    gross = judged[(R3, "$1.7 million", "gross_loss", "amount")]
    assert (gross.status, gross.table_value, gross.restated_value) == (Status.MATCH, 1700000, 2114000)
    costs = judged[(R3, "$8.1 million", "operating_expenses", "amount")]
    assert (costs.status, costs.table_value, costs.restated_value) == (Status.MATCH, 8112000, 7698000)
    change = judged[(R3, "$0.5 million", "gross_loss", "change")]
    assert (change.status, change.table_value, change.restated_value) == (Status.MATCH, 504000, 90000)
    unchanged = judged[(R3, "$3.9 million", "revenue", "amount")]
    assert unchanged.restated_value is None


# ---------------------------------------------------------------------------------------------
# Tolerances, one spec row at a time (facts of one small release)

Q3 = months(2004, 9, 30, 3)
Q3_PRIOR = months(2003, 9, 30, 3)


def small_release(rows: str, scale: Decimal = Decimal(1)) -> list[Fact]:
    return table("r.txt", OPS, [Q3, Q3_PRIOR], rows, scale=scale)


@pytest.mark.parametrize("table_figure, status", [
    ("2,450,000", Status.MATCH), ("2,549,999", Status.MATCH), ("2,550,000", Status.MATCH),
    ("2,449,999", Status.MISMATCH), ("2,550,001", Status.MISMATCH)])
def test_unqualified_amount_is_within_half_the_last_digit_inclusive(table_figure, status):
    facts = small_release(f"Research and development | {table_figure} 1")
    got = judge(claim("rd_expense", "2500000", Q3), facts)
    assert got.status is status
    assert got.table_value == Decimal(table_figure.replace(",", ""))
    assert got.delta == Decimal(2500000) - got.table_value
    assert got.evidence.formula == "Research and development[3M 2004-09-30]"


@pytest.mark.parametrize("table_figure, status", [
    ("31,500,000", Status.MATCH), ("28,500,000", Status.MATCH), ("31,600,000", Status.MISMATCH)])
def test_approximately_allows_five_percent_or_one_unit(table_figure, status):
    facts = small_release(f"Revenues | {table_figure} 1")
    qualified = claim("revenue", "30000000", Q3, precision="1000000", qualifier=Qualifier.APPROXIMATELY)
    assert judge(qualified, facts).status is status


@pytest.mark.parametrize("table_figure, status", [
    ("9,000,000", Status.MATCH), ("10,500,000", Status.MATCH),
    ("8,999,999", Status.MISMATCH), ("10,500,001", Status.MISMATCH)])
def test_nearly_allows_ten_percent_below_and_half_a_unit_above(table_figure, status):
    facts = small_release(f"Revenues | {table_figure} 1")
    qualified = claim("revenue", "10000000", Q3, precision="1000000", qualifier=Qualifier.NEARLY)
    assert judge(qualified, facts).status is status


@pytest.mark.parametrize("qualifier, stated, precision, table_figure, status", [
    (Qualifier.MORE_THAN, "30000000", "1000000", "30,000,001", Status.MATCH),
    (Qualifier.MORE_THAN, "30000000", "1000000", "30,000,000", Status.MATCH),  # round threshold
    (Qualifier.MORE_THAN, "30000000", "1000000", "29,999,999", Status.MISMATCH),
    (Qualifier.MORE_THAN, "3920000", "10000", "3,920,000", Status.MISMATCH),  # not round
    (Qualifier.LESS_THAN, "30000000", "1000000", "29,999,999", Status.MATCH),
    (Qualifier.LESS_THAN, "30000000", "1000000", "30,000,000", Status.MISMATCH),
    (Qualifier.UP_TO, "30000000", "1000000", "30,000,000", Status.MATCH),
    (Qualifier.UP_TO, "30000000", "1000000", "30,000,001", Status.MISMATCH)])
def test_bounds(qualifier, stated, precision, table_figure, status):
    facts = small_release(f"Revenues | {table_figure} 1")
    bounded = claim("revenue", stated, Q3, precision=precision, qualifier=qualifier)
    assert judge(bounded, facts).status is status


def test_a_coarser_table_judges_the_claim_at_the_tables_precision():
    in_millions = small_release("Revenues | 204 190", scale=Decimal(10) ** 6)
    stated = claim("revenue", "204500000", Q3, precision="100000")
    assert table_precision(in_millions[0]) == Decimal(10) ** 6
    assert judge(stated, in_millions).status is Status.MATCH
    assert judge(stated, small_release("Revenues | 206 190", scale=Decimal(10) ** 6)).status \
        is Status.MISMATCH
    assert judge(stated, small_release("Revenues | 204,000,000 1")).status is Status.MISMATCH


@pytest.mark.parametrize("stated, status", [("500000", Status.MATCH), ("650000", Status.MATCH),
                                            ("700000", Status.MISMATCH)])
def test_change_allows_one_and_a_half_units(stated, status):
    facts = small_release("Gross Loss | (1,700,000) (2,204,000)")
    change = claim("gross_loss", stated, Q3, kind=Kind.CHANGE, base=Q3_PRIOR)
    got = judge(change, facts)
    assert (got.status, got.table_value) == (status, 504000)
    assert got.evidence.formula == "|Gross Loss[3M 2004-09-30] - Gross Loss[3M 2003-09-30]|"


@pytest.mark.parametrize("stated, qualifier, status", [
    ("67", None, Status.MATCH), ("68", None, Status.MATCH), ("69", None, Status.MISMATCH),
    ("70", Qualifier.NEARLY, Status.MATCH), ("70", Qualifier.APPROXIMATELY, Status.MATCH),
    ("71", Qualifier.APPROXIMATELY, Status.MISMATCH), ("74", Qualifier.NEARLY, Status.MATCH),
    ("75", Qualifier.NEARLY, Status.MISMATCH), ("60", Qualifier.MORE_THAN, Status.MATCH)])
def test_percentage_change(stated, qualifier, status):
    facts = small_release("Revenues | $3,925,000 $2,347,000")
    pct = claim("revenue", stated, Q3, kind=Kind.PCT_CHANGE, unit=Unit.PERCENT, precision="1",
                qualifier=qualifier, base=Q3_PRIOR)
    got = judge(pct, facts)
    assert (got.status, got.table_value) == (status, Decimal("67.2348"))
    assert got.evidence.formula == \
        "(Revenues[3M 2004-09-30] - Revenues[3M 2003-09-30]) / |Revenues[3M 2003-09-30]| * 100"


def test_a_fall_is_judged_by_its_magnitude():
    facts = small_release("Revenues | $2,347,000 $3,925,000")
    pct = claim("revenue", "40", Q3, kind=Kind.PCT_CHANGE, unit=Unit.PERCENT, precision="1",
                base=Q3_PRIOR)
    assert (judge(pct, facts).status, judge(pct, facts).table_value) == (Status.MATCH, Decimal("40.2038"))


@pytest.mark.parametrize("stated, qualifier, status", [
    ("0.6667", None, Status.MATCH), ("0.5", Qualifier.LESS_THAN, Status.MISMATCH),
    ("0.75", None, Status.MISMATCH)])
def test_ratio_in_words(stated, qualifier, status):
    facts = small_release("Selling, general and administrative | 4,643,000 7,057,000")
    ratio = claim("sga_expense", stated, Q3, kind=Kind.RATIO, unit=Unit.RATIO, precision="1",
                  qualifier=qualifier, base=Q3_PRIOR)
    got = judge(ratio, facts)
    assert (got.status, got.table_value) == (status, Decimal("0.6579"))


def test_less_than_half_and_a_multiple():
    facts = small_release("Selling, general and administrative | 4,676,000 9,650,000")
    half = claim("sga_expense", "0.5", Q3, kind=Kind.RATIO, unit=Unit.RATIO,
                 qualifier=Qualifier.LESS_THAN, base=Q3_PRIOR)
    assert judge(half, facts).status is Status.MATCH
    doubled = claim("sga_expense", "2", Q3_PRIOR, kind=Kind.RATIO, unit=Unit.RATIO, base=Q3)
    got = judge(doubled, facts)
    assert (got.status, got.table_value) == (Status.MATCH, Decimal("2.0637"))


def test_margin_change_in_points_from_gross_loss_over_revenue():
    facts = small_release("""
        Revenues | $5,705,000 $3,925,000
        Gross Loss | (1,063,000) (2,114,000)""")
    points = claim("gross_margin", "35", Q3, kind=Kind.MARGIN_CHANGE, unit=Unit.POINTS,
                   precision="1", qualifier=Qualifier.APPROXIMATELY, base=Q3_PRIOR)
    got = judge(points, facts)
    assert (got.status, got.table_value) == (Status.MATCH, Decimal("35.2271"))
    assert got.evidence.formula.startswith("|(Gross Loss[3M 2004-09-30] / Revenues[3M 2004-09-30]")
    assert judge(replace(points, value=Decimal(30)), facts).status is Status.MISMATCH


def test_a_gross_margin_level_in_percent():
    facts = small_release("""
        Revenues | $10,000,000 1
        Gross Profit | 2,540,000 1""")
    level = claim("gross_margin", "25", Q3, unit=Unit.PERCENT, precision="1")
    got = judge(level, facts)
    assert (got.status, got.table_value) == (Status.MATCH, Decimal("25.4"))


def test_per_share_and_share_counts_are_not_confused():
    facts = small_release(f"""
        {SHARES} | 84,954,753 84,358,761
        {EPS} | $(0.12) $(0.11)""")
    eps = judge(claim("eps", "0.12", Q3, unit=Unit.USD_PER_SHARE, precision="0.01"), facts)
    assert (eps.status, eps.table_value) == (Status.MATCH, Decimal("0.12"))
    shares = judge(claim("weighted_shares", "85000000", Q3, unit=Unit.SHARES), facts)
    assert (shares.status, shares.table_value) == (Status.MATCH, 84954753)


def test_a_profit_stated_as_a_loss_is_a_mismatch_not_a_magnitude_match():
    facts = small_release("Net income (loss) | 9,147,000 1")
    got = judge(claim("net_loss", "9100000", Q3), facts)
    assert (got.status, got.table_value) == (Status.MISMATCH, -9147000)


# ---------------------------------------------------------------------------------------------
# Derived figures


def test_quarter_from_two_cumulative_columns_both_ways():
    facts = table("r.txt", OPS, [months(2005, 9, 30, 3), months(2005, 9, 30, 6)], f"""
        Net Loss | $(10,199,000) $(21,064,000)
        {EPS} | $(0.12) $(0.25)""")
    first_quarter = months(2005, 6, 30, 3)
    loss = judge(claim("net_loss", "10900000", first_quarter), facts)
    assert (loss.status, loss.table_value) == (Status.MATCH, 10865000)
    assert loss.evidence.formula == "Net Loss[6M 2005-09-30] - Net Loss[3M 2005-09-30]"
    assert [o["value"] for o in loss.evidence.operands] == [-21064000, -10199000]
    eps = judge(claim("eps", "0.13", first_quarter, unit=Unit.USD_PER_SHARE, precision="0.01"), facts)
    assert (eps.status, eps.table_value) == (Status.MATCH, Decimal("0.13"))
    nine = table("r.txt", OPS, [months(2002, 9, 30, 9), months(2002, 6, 30, 6)],
                 "Revenues | $15,886,000 $11,999,000")
    third = judge(claim("revenue", "3900000", months(2002, 9, 30, 3)), nine)
    assert (third.status, third.table_value, third.evidence.cross_release) == (Status.MATCH, 3887000, False)


def test_quarter_from_another_releases_shorter_column_is_cross_release():
    own = table("b.txt", CF, [months(2003, 9, 30, 9)],
                "Net Decrease in Cash and Cash Equivalents | (20,361,000)")
    earlier = table("a.txt", CF, [months(2003, 6, 30, 6)],
                    "Net Decrease in Cash and Cash Equivalents | (13,941,000)")
    usage = claim("cash_usage", "6400000", months(2003, 9, 30, 3), doc="b.txt")
    assert judge(usage, own).status is Status.UNVERIFIABLE
    got = judge(usage, own + earlier)
    assert (got.status, got.table_value, got.evidence.cross_release) == (Status.MATCH, 6420000, True)
    assert {o["doc"] for o in got.evidence.operands} == {"a.txt", "b.txt"}


def test_the_own_releases_derived_figure_decides_before_another_releases_printed_one():
    own = table("b.txt", OPS, [months(2005, 9, 30, 3), months(2005, 9, 30, 6)],
                "Revenues | $4,000,000 $7,900,000")
    other = table("a.txt", OPS, [months(2005, 6, 30, 3)], "Revenues | $4,200,000")
    first_quarter = claim("revenue", "3900000", months(2005, 6, 30, 3), doc="b.txt")
    got = judge(first_quarter, other + own)
    assert (got.status, got.table_value, got.evidence.cross_release) == (Status.MATCH, 3900000, False)
    elsewhere = judge(replace(first_quarter, doc="c.txt"), other + own)
    assert (elsewhere.status, elsewhere.table_value) == (Status.MISMATCH, 4200000)


def test_cash_usage_as_the_fall_of_cash_between_two_dates():
    own = table("a.txt", BS, [at(2003, 6, 30), at(2002, 12, 31)],
                "Cash and cash equivalents | $126,369,000 $140,310,000")
    later = table("b.txt", CF, [months(2003, 9, 30, 6)], """
        Cash and Cash Equivalents, Beginning of Period | 132,584,000
        Cash and Cash Equivalents, End of Period | $119,949,000""")
    second = claim("cash_usage", "6200000", months(2003, 6, 30, 3), doc="a.txt")
    got = judge(second, own + later)
    assert (got.status, got.table_value, got.evidence.cross_release) == (Status.MATCH, 6215000, True)
    assert got.evidence.formula == ("Cash and cash equivalents[2003-06-30] - "
                                    "Cash and Cash Equivalents, Beginning of Period[6M 2003-09-30]")
    cash_then = judge(claim("cash_and_equivalents", "132600000", at(2003, 3, 31), doc="a.txt"), own + later)
    assert (cash_then.status, cash_then.table_value) == (Status.MATCH, 132584000)


def test_a_printed_net_decrease_is_preferred_and_a_span_without_levels_is_unverifiable():
    facts = table("r.txt", CF, [months(2004, 9, 30, 6)], """
        Net Decrease in Cash and Cash Equivalents | (15,947,000)
        Cash and Cash Equivalents, Beginning of Period | 102,380,000
        Cash and Cash Equivalents, End of Period | $86,433,000""")
    half_year = judge(claim("cash_usage", "15900000", months(2004, 9, 30, 6)), facts)
    assert half_year.evidence.formula == "Net Decrease in Cash and Cash Equivalents[6M 2004-09-30]"
    assert half_year.table_value == 15947000
    quarter = judge(claim("cash_usage", "9200000", months(2004, 9, 30, 3)), facts)
    assert (quarter.status, quarter.table_value, quarter.delta) == (Status.UNVERIFIABLE, None, None)


def test_free_cash_flow_is_operating_cash_flow_less_capital_expenditures():
    facts = table("r.txt", CF, [months(2004, 12, 31, 12)], """
        Net cash provided by operating activities | 1,200,000
        Purchases of property and equipment | (300,000)""")
    got = judge(claim("free_cash_flow", "900000", months(2004, 12, 31, 12)), facts)
    assert (got.status, got.table_value) == (Status.MATCH, 900000)


# ---------------------------------------------------------------------------------------------
# Unverifiable, segments, restatements, corroboration


def test_never_a_mismatch_for_want_of_a_line_or_column():
    facts = small_release("Revenues | $3,925,000 $2,347,000")
    cases = [claim("shipments", "4.1", Q3, unit=Unit.MW, precision="0.1"),
             claim("revenue", "3900000", months(2004, 6, 30, 3)),
             claim("revenue", "3900000", None),
             claim("long_term_debt", "0", at(2004, 9, 30), precision="1"),
             claim("not_a_metric", "1", Q3),
             claim("revenue", "50", Q3, kind=Kind.PCT_CHANGE, unit=Unit.PERCENT, base=months(2002, 9, 30, 3))]
    assert [c.status for c in reconcile(cases, facts, METRICS)] == [Status.UNVERIFIABLE] * len(cases)


def test_odd_input_is_unverifiable_not_an_error():
    odd = [replace(fact, printed="--", period=Period()) for fact in small_release("Revenues | 1 2")]
    zero = small_release("Revenues | 5,705,000 -")
    half_open = claim("revenue", "5700000", Period(start=D(2004, 7, 1)))
    cases = [(claim("revenue", "50", Q3, kind=Kind.PCT_CHANGE, unit=Unit.PERCENT, base=Q3_PRIOR), zero),
             (claim("revenue", "5700000", Q3), odd), (half_open, odd + zero),
             (claim("cash_usage", "1", Period(end=D(2004, 9, 30))), zero)]
    assert [judge(one, facts).status for one, facts in cases] == [Status.UNVERIFIABLE] * 4
    assert find_restatements(odd + zero, None, METRICS) == []


def test_segment_claims_need_the_segments_own_table():
    consolidated = small_release("Revenues | $5,000,000 1")
    domestic = claim("revenue", "2000000", Q3, segment="Domestic")
    assert judge(domestic, consolidated).status is Status.UNVERIFIABLE
    by_caption = table("r.txt", Statement.OTHER, [Q3], "Revenues | 2,040,000", caption="Domestic segment")
    assert judge(domestic, consolidated + by_caption).table_value == 2040000
    by_label = table("r.txt", Statement.OTHER, [Q3], "Domestic revenues | 1,700,000")
    got = judge(domestic, consolidated + by_label)
    assert (got.status, got.table_value) == (Status.MISMATCH, 1700000)


def test_restatements_pair_lines_worded_differently():
    found = find_restatements(CORPUS, "Capstone Turbine")
    keyed = {(r.line, str(r.period)): r for r in found}
    gross = keyed[("gross loss", str(Q3))]
    assert (gross.first_doc, gross.first_value, gross.later_doc, gross.later_value) == \
        (R3, -1700000, R4, -2114000)
    costs = keyed[("total operating costs and expenses", str(months(2004, 9, 30, 6)))]
    assert (costs.first_value, costs.later_value) == (16734000, 15979000)
    lines = {r.line for r in found if r.first_doc == R3}
    assert lines == {"cost of goods sold", "gross loss", "selling general and administrative",
                     "total operating costs and expenses"}
    assert len([r for r in found if r.first_doc == R3]) == 8
    reclassified = [r for r in found if r.first_doc == R1]
    assert [(r.line, r.first_value, r.later_value) for r in reclassified] == \
        [("other assets", 532000, 1240000)]
    shares = [(r.line, r.first_value, r.later_value) for r in found if r.first_doc == R2]
    assert shares == [("weighted average common shares outstanding", 82116448, 81788427)]
    assert all(r.issuer == "Capstone Turbine" for r in found)


def test_corroboration_across_releases():
    quarter = months(2003, 9, 30, 3)
    first = claim("shipments", "1.9", quarter, doc="a.txt", unit=Unit.MW, precision="0.1")
    again = replace(first, doc="b.txt")
    other = claim("net_loss", "9000000", quarter, doc="a.txt")
    conflicting = replace(other, doc="b.txt", value=Decimal(9200000))
    lone = claim("revenue", "2300000", quarter, doc="a.txt")
    found = corroborate([first, other, lone, again, conflicting])
    assert [(c.metric, c.agree, len(c.claims)) for c in found] == \
        [("shipments", True, 2), ("net_loss", False, 2)]
    coarser = replace(other, doc="b.txt", value=Decimal(9000000), precision=Decimal(1000000))
    assert corroborate([replace(other, value=Decimal(9400000)), coarser])[0].agree


# ---------------------------------------------------------------------------------------------
# End to end: the real table parser over the corpus


@pytest.fixture(scope="module")
def parsed_corpus() -> list[Fact]:
    facts: list[Fact] = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        facts += extract_tables(read_release(path))[0]
    return facts


def test_every_gold_line_against_the_parsed_corpus(parsed_corpus):
    rows = gold_rows()
    assert_gold(rows, reconcile([gold_claim(row) for row in rows], parsed_corpus, METRICS))


def test_the_parsed_corpus_shows_the_later_release_restating_the_earlier(parsed_corpus):
    found = find_restatements(parsed_corpus, None, METRICS)
    restated = {(r.line, r.period, r.first_value, r.later_value)
                for r in found if (r.first_doc, r.later_doc) == (R3, R4)}
    half = months(2004, 9, 30, 6)
    assert restated == {
        ("cost of goods sold", Q3, 5625000, 6039000), ("cost of goods sold", half, 10715000, 11470000),
        ("gross loss", Q3, -1700000, -2114000), ("gross loss", half, -3835000, -4590000),
        ("selling general and administrative", Q3, 5193000, 4779000),
        ("selling general and administrative", half, 10401000, 9646000),
        ("total operating costs and expenses", Q3, 8112000, 7698000),
        ("total operating costs and expenses", half, 16734000, 15979000)}


def test_reconcile_issuer_is_reconcile_and_find_restatements_over_one_index(parsed_corpus):
    claims = [gold_claim(row) for row in gold_rows()]
    judged, found = reconcile_issuer(claims, parsed_corpus, "Capstone Turbine", METRICS)
    assert [c.to_dict() for c in judged] == [c.to_dict() for c in reconcile(claims, parsed_corpus, METRICS)]
    assert found == find_restatements(parsed_corpus, "Capstone Turbine", METRICS)
    assert found


# ---------------------------------------------------------------------------------------------
# Determinism and speed


def test_same_verdicts_whatever_the_fact_order():
    rows = gold_rows()
    claims = [gold_claim(row) for row in rows]
    forward = reconcile(claims, CORPUS, METRICS)
    backward = reconcile(claims, list(reversed(CORPUS)), METRICS)
    assert [c.to_dict() for c in forward] == [c.to_dict() for c in backward]
