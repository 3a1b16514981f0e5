"""A release unlike the corpus (net income, "in thousands" tables, calendar fiscal year, a fourth
quarter beside the full year, diluted EPS): every claim found, dated and confirmed."""
import pytest

import extractor
from conftest import DATA

RELEASE = DATA / "synthetic" / "acme-2007-02-08.txt"
Q4_06, Q4_05 = {"start": "2006-10-01", "end": "2006-12-31"}, {"start": "2005-10-01", "end": "2005-12-31"}
FY06, FY05 = {"start": "2006-01-01", "end": "2006-12-31"}, {"start": "2005-01-01", "end": "2005-12-31"}


@pytest.fixture(scope="module")
def claims():
    return [claim.to_dict() for claim in extractor.extract(RELEASE).claims]


def test_every_claim_is_found_dated_and_confirmed(claims):
    got = [(" ".join(c["text"].split()), c["metric"], c["kind"], c["period"], c.get("base_period"),
            c["status"]) for c in claims]
    assert got == [
        ("$12.4 million", "net_income", "amount", Q4_06, None, "match"),
        ("$0.45 per diluted share", "eps", "amount", Q4_06, None, "match"),
        ("$9.8 million", "net_income", "amount", Q4_05, None, "match"),
        ("$0.36 per diluted share", "eps", "amount", Q4_05, None, "match"),
        ("12%", "revenue", "pct_change", Q4_06, Q4_05, "match"),
        ("$154.3 million", "revenue", "amount", Q4_06, None, "match"),
        ("$137.8 million", "revenue", "amount", Q4_05, None, "match"),
        ("$585.2 million", "revenue", "amount", FY06, None, "match"),
        ("9.5%", "revenue", "pct_change", FY06, FY05, "match"),
        ("$534.4 million", "revenue", "amount", FY05, None, "match"),
        ("$171.0 million", "gross_profit", "amount", FY06, None, "match"),
        ("$22.1 million", "operating_income", "amount", Q4_06, None, "match"),
        ("$48.2 million", "cash_and_equivalents", "amount", {"instant": "2006-12-31"}, None, "match"),
    ]


def test_table_values_are_scaled_from_thousands(claims):
    by_text = {" ".join(c["text"].split()): c for c in claims}
    assert by_text["$154.3 million"]["table_value"] == 154312000
    assert by_text["$0.45 per diluted share"]["table_value"] == 0.45


def test_speaker_and_role_inside_the_quote(claims):
    speakers = {c["speaker"]["name"] + " / " + c["speaker"]["role"] for c in claims if c["speaker"]}
    assert speakers == {"Jane Smith / Chairman and CEO"}


RETAIL = DATA / "synthetic" / "shopco-2004-08-12.txt"
W13_04, W13_03 = {"start": "2004-05-02", "end": "2004-07-31"}, {"start": "2003-05-04", "end": "2003-08-02"}
W26_04, W26_03 = {"start": "2004-02-01", "end": "2004-07-31"}, {"start": "2003-02-02", "end": "2003-08-02"}


def test_retail_13_week_quarters_in_millions_with_a_prior_year_loss():
    """PRNewswire dateline without a year, 13/26-week columns, a table "(millions)", net income
    beside a prior-year net loss, a margin as a percentage of revenues, "first half" as a period."""
    got = [(" ".join(c.text.split()), c.metric, c.kind.value, c.period.to_dict(),
            c.base_period.to_dict() if c.base_period else None, c.status.value)
           for c in extractor.extract(RETAIL).claims]
    assert got == [
        ("$102 million", "net_income", "amount", W13_04, None, "match"),
        ("$0.45 per diluted share", "eps", "amount", W13_04, None, "match"),
        ("$12 million", "net_loss", "amount", W13_03, None, "match"),
        ("$0.05 per diluted share", "eps", "amount", W13_03, None, "match"),
        ("3.2%", "revenue", "pct_change", W13_04, W13_03, "match"),
        ("$8.7 billion", "revenue", "amount", W13_04, None, "match"),
        ("2.9 percent", "comparable_sales", "pct_change", W13_04, W13_03, "unverifiable"),
        ("$2.47 billion", "gross_profit", "amount", W13_04, None, "match"),
        ("28.4%", "gross_margin", "amount", W13_04, None, "match"),
        ("$1.5 billion", "cash_and_equivalents", "amount", {"instant": "2004-07-31"}, None, "match"),
        ("$196 million", "net_income", "amount", W26_04, None, "match"),
        ("$155 million", "net_income", "amount", W26_03, None, "match"),
    ]


def test_html_release_with_an_html_table():
    """Markup blanked, entities decoded, an HTML table whose cells do not align by character."""
    result = extractor.extract(DATA / "synthetic" / "widget-2006-04-27.htm")
    got = [(c.text, c.metric, c.period.to_dict(), c.status.value, c.table_value) for c in result.claims]
    q1_06, q1_05 = {"start": "2006-01-01", "end": "2006-03-31"}, {"start": "2005-01-01", "end": "2005-03-31"}
    assert [row[:4] for row in got] == [
        ("$45.2 million", "revenue", q1_06, "match"), ("15%", "revenue", q1_06, "match"),
        ("$39.3 million", "revenue", q1_05, "match"), ("$3.1 million", "net_income", q1_06, "match"),
        ("$0.21 per diluted share", "eps", q1_06, "match")]
    assert got[2][4] == 39301000
    assert [(q.speaker.name, q.speaker.role) for q in result.quotes] == [("John Doe", "CEO")]


def test_net_loss_narrowing_nine_months_and_margins_in_percent():
    """"narrowed to ... from", nine-month columns, gross margin stated in percent (derived from
    gross profit / revenue), a sequential change that no column covers (unverifiable)."""
    got = [(" ".join(c.text.split()), c.metric, c.kind.value, c.period.to_dict(), c.status.value)
           for c in extractor.extract(DATA / "synthetic" / "biotech-2005-11-02.txt").claims]
    q3_05, q3_04 = {"start": "2005-07-01", "end": "2005-09-30"}, {"start": "2004-07-01", "end": "2004-09-30"}
    assert got == [
        ("$3.2 million", "net_loss", "amount", q3_05, "match"),
        ("$0.08 per share", "eps", "amount", q3_05, "match"),
        ("$5.1 million", "net_loss", "amount", q3_04, "match"),
        ("$0.13 per share", "eps", "amount", q3_04, "match"),
        ("$45.6 million", "revenue", "amount", {"start": "2005-01-01", "end": "2005-09-30"}, "match"),
        ("$38.2 million", "revenue", "amount", {"start": "2004-01-01", "end": "2004-09-30"}, "match"),
        ("42.3%", "gross_margin", "amount", q3_05, "match"),
        ("40.1%", "gross_margin", "amount", q3_04, "match"),
        ("5%", "operating_expenses", "pct_change", q3_05, "unverifiable"),
        ("$9.5 million", "operating_expenses", "amount", q3_05, "match"),
        ("$120.5 million", "cash_and_equivalents", "amount", {"instant": "2005-09-30"}, "match"),
    ]


def test_september_fiscal_year_with_quarter_and_year_columns():
    """Fiscal 2005 ends Sept. 30, 2005 (read from the columns); "Net income (loss)" holds both a
    profit and a prior-year loss; "Quarter Ended" / "Fiscal Year Ended" headers."""
    got = [(" ".join(c.text.split()), c.metric, c.period.to_dict(), c.status.value)
           for c in extractor.extract(DATA / "synthetic" / "zeta-2005-10-20.txt").claims]
    q4_05 = {"start": "2005-07-01", "end": "2005-09-30"}
    fy05 = {"start": "2004-10-01", "end": "2005-09-30"}
    assert got == [
        ("$101.2 million", "revenue", q4_05, "match"),
        ("12%", "revenue", q4_05, "match"),
        ("$5.1 million", "net_income", q4_05, "match"),
        ("$1.2 million", "net_loss", {"start": "2004-07-01", "end": "2004-09-30"}, "match"),
        ("$390.0 million", "revenue", fy05, "match"),
        ("$20.0 million", "net_income", fy05, "match"),
    ]
