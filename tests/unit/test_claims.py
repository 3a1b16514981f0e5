"""Figure detection and claim building on tricky real-world wordings."""
from decimal import Decimal

import pytest

import extractor
from extractor.claims import (RankedPhrases, inside_each, prose_view, whole_words_not_before,
                              without_trailing_preposition)


@pytest.fixture(scope="module")
def nlp():
    return extractor.load()


def claims_of(nlp, text):
    return nlp(text)._.claims


@pytest.mark.parametrize("text, figure, value, unit", [
    ("Sales totaled $3.9 million.", "$3.9 million", Decimal("3900000"), "USD"),
    ("EPS was $.16 for the quarter.", "$.16", Decimal("0.16"), "USD/share"),
    ("The option cost $.16 a unit.", "$.16", Decimal("0.16"), "USD"),
    ("Earnings were 27 cents a share.", "27 cents a share", Decimal("0.27"), "USD/share"),
    ("The net loss was $9.4 million, or ($0.12) per share.", "($0.12) per share", Decimal("0.12"), "USD/share"),
    ("Revenue was $1.53 billion.", "$1.53 billion", Decimal("1530000000"), "USD"),
    ("Backlog reached 11.3 megawatts of product.", "11.3 megawatts", Decimal("11.3"), "MW"),
    ("We begin the quarter with a 5.1 megawatt backlog.", "5.1 megawatt", Decimal("5.1"), "MW"),
    ("The fleet produced an estimated 350,000 megawatt hours.", "350,000 megawatt hours", Decimal("350000"), "MWh"),
    ("The systems have logged more than 4 million hours of operation.", "4 million hours", Decimal("4000000"), "hours"),
    ("Capstone shipped 108 units in the quarter.", "108 units", Decimal("108"), "units"),
    ("Completed registered offering of 17,000,000 shares of common stock.", "17,000,000 shares", Decimal("17000000"), "shares"),
    ("Sales were nearly 70% stronger than a year ago.", "70%", Decimal("70"), "percent"),
    ("Comparable store sales rose 2.9 percent.", "2.9 percent", Decimal("2.9"), "percent"),
    ("Gross margin improved approximately 70 points.", "70 points", Decimal("70"), "points"),
    ("SG&A fell to $4.6 million, two-thirds the amount recorded a year ago.", "two-thirds", Decimal("0.6667"), "ratio"),
    ("SG&A fell to $4.7 million, less than half the $9.7 million recorded a year ago.", "less than half", Decimal("0.5"), "ratio"),
    ("Capstone had $126.4 million in cash, with no long-term debt.", "no long-term debt", Decimal("0"), "USD"),
    ("Ten million hours is equivalent to a lot of operation.", "Ten million hours", Decimal("10000000"), "hours"),
])
def test_figures_are_read_exactly(nlp, text, figure, value, unit):
    found = {claim.text: claim for claim in claims_of(nlp, text)}
    assert figure in found, list(found)
    assert found[figure].value == value and found[figure].unit.value == unit


@pytest.mark.parametrize("text", [
    "The Company will host a conference call today, Thursday, November 4, at 2:00 p.m. Pacific Time.",
    "A replay will be available for 90-days through the website.",
    "The result of more than ten years of focused research.",
    "It has been an exciting first 90 days at Capstone.",
    "For more information call 818-734-5465.",
    "The new integrated product is based upon our C60 system.",
    "Shipments of its 60-kilowatt product resumed in late September.",
    "Capstone set a record for its highest backlog level since 2001.",
    "Over the last fifteen months, Capstone has worked diligently.",
    "This is a week long event with stops in Beijing.",
])
def test_non_claims_yield_nothing(nlp, text):
    assert claims_of(nlp, text) == []


def test_one_sentence_can_hold_four_claims(nlp):
    text = ("For the second quarter of 2003, Capstone's net loss was $9.4 million, or ($0.12) per share "
            "compared to a net loss of $30.8 million or ($0.40) per share during the second quarter of 2002.")
    assert [(c.text, c.metric) for c in claims_of(nlp, text)] == [
        ("$9.4 million", "net_loss"), ("($0.12) per share", "eps"),
        ("$30.8 million", "net_loss"), ("($0.40) per share", "eps")]


@pytest.mark.parametrize("text, figure, metric", [
    ("The loss included $16.0 million from the impairment of marketing rights and $1.8 million "
     "related to excess inventory charges.", "$16.0 million", "impairment"),
    ("The loss included $16.0 million from the impairment of marketing rights and $1.8 million "
     "related to excess inventory charges.", "$1.8 million", "inventory_charges"),
    ("The improved gross loss resulted from higher sales and a $0.8 million benefit from a warranty "
     "accrual adjustment.", "$0.8 million", "warranty_adjustment"),
    ("The reported gross loss was $1.1 million, an improvement of $2.3 million from the $3.4 million "
     "loss reported for the first quarter.", "$3.4 million", "gross_loss"),
    ("Last quarter we received a benefit of collecting a $1.8 million receivable from the government.",
     "$1.8 million", "receivable_collected"),
    ("The board declared a cash dividend of $0.24 per share.", "$0.24 per share", "dividends_per_share"),
    ("The per share net loss was $0.11 in each period.", "$0.11", "eps"),
    ("The Domestic segment paid $5 million for a warehouse lease buyout.", "$5 million", "other"),
])
def test_metric_is_the_cue_that_governs_the_figure(nlp, text, figure, metric):
    found = {claim.text: claim.metric for claim in claims_of(nlp, text)}
    assert found[figure] == metric


@pytest.mark.parametrize("text, figure, kind, qualifier", [
    ("R&D costs were $2.7 million, up $0.6 million from the prior quarter.", "$0.6 million", "change", None),
    ("SG&A was $6.8 million, up approximately $1.0 million.", "$1.0 million", "change", "approximately"),
    ("Revenues rose to $5.7 million, up approximately 46% from a year ago.", "46%", "pct_change", "approximately"),
    ("Backlog was $12.5 million, up over 120% from a year ago.", "120%", "pct_change", "more than"),
    ("Shipments were about 60% of the volume a year ago.", "60%", "ratio", "approximately"),
    ("Selling, general and administrative expenses decreased to $4.6 million.", "$4.6 million", "amount", None),
    ("The systems have logged more than 4 million hours.", "4 million hours", "amount", "more than"),
    ("The fleet surpassed 10 million operating hours.", "10 million operating hours", "amount", "more than"),
    ("Sales were nearly 70% stronger than a year ago.", "70%", "pct_change", "nearly"),
])
def test_kind_and_qualifier(nlp, text, figure, kind, qualifier):
    found = {claim.text: claim for claim in claims_of(nlp, text)}
    claim = found[figure]
    assert claim.kind.value == kind
    assert (claim.qualifier.value if claim.qualifier else None) == qualifier


def test_offsets_point_into_wrapped_original_text(nlp):
    from extractor.pipeline import Extractor
    pipeline = Extractor()
    text = ("Exhibit 99.1\n\nAcme Reports Results\n\n    NEW YORK--(BUSINESS WIRE)--May 5, 2005--Acme Corp.\n"
            "(NYSE: ACM) today reported revenue of $12.4\nmillion for the quarter ended March 31, 2005,\n"
            "compared with $10.1 million a year ago.\n")
    result = pipeline.extract(pipeline.read(text))
    assert [(c.text, text[c.start:c.end]) for c in result.claims] == [
        ("$12.4\nmillion", "$12.4\nmillion"), ("$10.1 million", "$10.1 million")]
    assert result.claims[0].period.to_dict() == {"start": "2005-01-01", "end": "2005-03-31"}
    assert result.claims[1].period.to_dict() == {"start": "2004-01-01", "end": "2004-03-31"}


@pytest.mark.parametrize("text, segment", [
    ("The Domestic segment reported operating income of $42 million.", "Domestic"),
    ("Sears Canada segment sales rose 2.9 percent.", "Sears Canada"),
    ("Our Services Segment grew revenue 5%.", "Services"),
    ("Revenue for the quarter was $4.1 million.", None),
])
def test_segment_named_before_the_figure(nlp, text, segment):
    assert [claim.segment for claim in claims_of(nlp, text)] == [segment]


@pytest.mark.parametrize("text, low, high", [
    ("Comparable store sales increased in the low single digits.", 1, 3),
    ("Same-store sales rose in the high single-digit range.", 7, 9),
    ("Revenue grew in the low double digits.", 10, 13),
    ("Operating margin is expected in the mid-teens.", 14, 16),
    ("Gross margin was in the low 40 percents.", 40, 43),
])
def test_vague_ranges_are_ranges(nlp, text, low, high):
    [claim] = claims_of(nlp, text)
    assert (claim.value, claim.value_high, claim.unit.value) == (low, high, "percent")


def test_a_figure_compared_against_takes_the_prior_period():
    from extractor.pipeline import Extractor
    pipeline = Extractor()
    text = ("Exhibit 99.1\n\nAcme Reports Results\n\n    NEW YORK--(BUSINESS WIRE)--May 5, 2005--Acme Corp.\n"
            "(NYSE: ACM) today reported results for the quarter ended March 31, 2005. Revenue rose\n"
            "to $12.4 million from $10.1 million. Backlog grew sequentially to $5.0 million from\n"
            "$4.2 million.\n")
    periods = [(c.text, c.period.to_dict()) for c in pipeline.extract(pipeline.read(text)).claims]
    assert periods == [
        ("$12.4 million", {"start": "2005-01-01", "end": "2005-03-31"}),
        ("$10.1 million", {"start": "2004-01-01", "end": "2004-03-31"}),
        ("$5.0 million", {"instant": "2005-03-31"}),
        ("$4.2 million", {"instant": "2004-12-31"})]


@pytest.mark.parametrize("text, expected", [
    ("Net loss narrowed by $2.1 million to $3.4 million.",
     [("$2.1 million", "change"), ("$3.4 million", "amount")]),
    ("Revenue increased from $2.1 million to $3.4 million.",
     [("$2.1 million", "amount"), ("$3.4 million", "amount")]),
    ("The company expects revenue of $2.10 to $2.20 billion for the year.",
     [("$2.10 to $2.20 billion", "amount")]),
])
def test_a_range_is_told_from_a_change_between_two_figures(nlp, text, expected):
    assert [(c.text, c.kind.value) for c in claims_of(nlp, text)] == expected


@pytest.mark.parametrize("text, unit", [
    ("The Canadian unit reported net income of C$52 million.", "CAD"),
    ("Revenue was US$1.2 billion.", "USD"),
    ("Sales were €45 million.", "EUR"),
    ("Revenue was £12.5 million.", "GBP"),
])
def test_foreign_currency_keeps_its_iso_code(nlp, text, unit):
    [claim] = claims_of(nlp, text)
    assert claim.unit.value == unit and claim.metric in ("net_income", "revenue")


def test_inside_each_keeps_only_items_wholly_inside_a_range_in_their_order():
    ranges = [(0, 5), (7, 12)]
    items = [(8, 9), (1, 3), (4, 8), (7, 12), (10, 13), (0, 1)]
    assert inside_each(ranges, items, lambda item: item) == [[(1, 3), (0, 1)], [(8, 9), (7, 12)]]


@pytest.mark.parametrize("text, found", [
    ("sales rose", True), ("sales rose from", False), ("rose to", False), ("rose by", True),
    ("prose", False), ("increase of", True), ("an increase of to", True), ("", False),
])
def test_a_change_phrase_counts_unless_from_or_to_follows(text, found):
    pattern = whole_words_not_before(["rose", "increase of", "increase", "two  words"], ("from", "to"))
    assert (pattern.search(text) is not None) == found


def test_prose_view_folds_whitespace_runs_and_keeps_offsets():
    text = "  Sales\n   rose 5%.\t\n x\xa0y  \n\nNext  one. "
    view = prose_view(text, [(0, 25), (27, len(text))])
    assert view.text == "Sales rose 5%. x y\n\nNext one."
    assert view.paragraphs == ((0, 18), (20, 29))
    assert [text[view.offsets[index]] for index, char in enumerate(view.text) if char not in " \n"] == \
        [char for char in view.text if char not in " \n"]
    assert view.original(0, 5) == (2, 7)


@pytest.mark.parametrize("ending, opening, found", [
    ("was about", "", ("about", "approx")), ("about", "", ("about", "approx")), ("roughout", "", None),
    ("more than", "", ("more than", "over")), ("no more than", "", ("more than", "over")),
    ("in excess of", "", ("in excess of", "over")), ("far in excess of", "", ("in excess of", "over")),
    ("", "about 5", ("about", "approx")), ("", "about", None), ("", "more than half", ("more than", "over")),
    ("than", "about 5", ("about", "approx")), ("x", "than 5", ("than", "less")), ("x", "thank 5", None),
    ("", "", None),
])
def test_ranked_phrases_find_the_longest_phrase_at_a_whole_word_edge(ending, opening, found):
    phrases = RankedPhrases.of({"about": "approx", "than": "less", "more than": "over", "in excess of": "over"})
    assert phrases.first(ending, opening) == found


@pytest.mark.parametrize("prefix, kept", [
    ("compared with results in the", "compared with results"), ("sales rose in", "sales rose"),
    ("up from the", "up from"), ("in the", "in"), ("the", "the"), ("of the the", "of the"),
    ("results during", "results"), ("a begin", "a begin"), ("into the", "into"), ("", ""),
])
def test_without_trailing_preposition_drops_a_closing_the_then_a_preposition(prefix, kept):
    assert without_trailing_preposition(prefix) == kept
