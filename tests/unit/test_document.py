"""The release reader: decoding, envelopes, blocks, issuer and date, on the corpus and on
synthetic releases."""
from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import document
from extractor.document import ReleaseError, decode, read_release
from extractor.models import BlockKind, Issuer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).parent / "fixtures" / "document"
EDGAR = FIXTURES / "edgar-submission.txt"
CAPSTONE = Issuer("Capstone Turbine Corporation", "NASDAQ", "CPST")

STATEMENTS = {
    "cpst-2003-07-17.txt": ["BALANCE SHEETS", "STATEMENTS OF OPERATIONS", "STATEMENTS OF CASH FLOWS"],
    "cpst-2003-11-06.txt": ["BALANCE SHEETS", "STATEMENTS OF OPERATIONS", "STATEMENTS OF CASH FLOWS"],
    "cpst-2004-11-04.txt": ["BALANCE SHEETS", "STATEMENTS OF OPERATIONS", "STATEMENTS OF CASH FLOWS"],
    "cpst-2005-11-10.txt": ["BALANCE SHEETS", "STATEMENTS OF OPERATIONS"],
}
# The last figure line of each statement, as printed.
LAST_FIGURE_LINES = {
    "cpst-2003-07-17.txt": ["Total                                    $167,154,000  $187,191,000",
                            "and Diluted         $(0.12)       $(0.40)       $(0.21)      $(0.55)",
                            "Income taxes                                $2,000        $2,000"],
    "cpst-2005-11-10.txt": ["============= =============",
                            "============  =========== ============  ============"],
}


def release_of(name: str):
    return read_release(CORPUS / name)


def block_at(release, phrase: str):
    """The block holding `phrase` (its words may be broken across lines in the text)."""
    pattern = r"\s+".join(map(re.escape, phrase.split()))
    match = re.search(pattern, release.text)
    assert match, phrase
    holders = [block for block in release.blocks if block.start <= match.start() < block.end]
    assert len(holders) == 1, (phrase, holders)
    return holders[0]


def assert_well_formed(release):
    """Blocks sorted, disjoint, trimmed, read from `clean`, and covering all its non-blanks."""
    assert len(release.clean) == len(release.text)
    covered = [False] * len(release.text)
    previous_end = 0
    for block in release.blocks:
        assert previous_end <= block.start < block.end
        assert block.text == release.clean[block.start:block.end]
        assert len(block.text) == len(release.text[block.start:block.end])
        assert not block.text[0].isspace() and not block.text[-1].isspace()
        covered[block.start:block.end] = [True] * (block.end - block.start)
        previous_end = block.end
    stray = [i for i, char in enumerate(release.clean) if not char.isspace() and not covered[i]]
    assert not stray, release.clean[stray[0] - 30:stray[0] + 30]


# --------------------------------------------------------------------------- corpus

@pytest.mark.parametrize("name, date", [
    ("cpst-2003-07-17.txt", dt.date(2003, 7, 17)),
    ("cpst-2003-11-06.txt", dt.date(2003, 11, 6)),
    ("cpst-2004-11-04.txt", dt.date(2004, 11, 4)),
    ("cpst-2005-11-10.txt", dt.date(2005, 11, 10)),
])
def test_corpus_issuer_date_and_encoding(name, date):
    release = release_of(name)
    assert release.doc == name
    assert release.issuer == CAPSTONE
    assert release.date == date
    assert release.encoding == "utf-8"
    assert release.text == (CORPUS / name).read_text()


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_corpus_blocks_are_well_formed(name):
    release = release_of(name)
    assert_well_formed(release)
    assert not release.clean[:release.text.index("\n")].strip()   # the "Exhibit 99.1" label
    assert {block.exhibit for block in release.blocks} == {"EX-99.1"}


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_one_table_per_statement_from_its_caption(name):
    release = release_of(name)
    tables = [block for block in release.blocks if block.kind is BlockKind.TABLE]
    assert len(tables) == len(STATEMENTS[name])
    for table, title in zip(tables, STATEMENTS[name]):
        caption = table.text.splitlines()[:3]
        assert caption[0] == "CAPSTONE TURBINE CORPORATION"
        assert caption[1].strip() == f"CONSOLIDATED {title}"
        assert caption[2].strip() == "(Unaudited)"


@pytest.mark.parametrize("name", sorted(LAST_FIGURE_LINES))
def test_tables_end_at_their_last_figure_line(name):
    tables = [block for block in release_of(name).blocks if block.kind is BlockKind.TABLE]
    for table, last_line in zip(tables, LAST_FIGURE_LINES[name]):
        assert table.text.endswith(last_line)


def test_headings_inside_a_statement_stay_in_its_table():
    release = release_of("cpst-2004-11-04.txt")
    for phrase in ("Current Assets:", "Liabilities and Stockholders' Equity",
                   "Operating Expenses:", "Cash Flows from Investing Activities:",
                   "Supplemental Disclosures of Cash Flow"):
        assert block_at(release, phrase).kind is BlockKind.TABLE


def test_opening_headline_and_dateline():
    release = release_of("cpst-2004-11-04.txt")
    kinds = [block.kind for block in release.blocks[:3]]
    assert kinds == [BlockKind.HEADLINE, BlockKind.DATELINE, BlockKind.NARRATIVE]
    headline, dateline, lede = release.blocks[:3]
    assert headline.text == "Capstone Turbine Announces Second Quarter Fiscal-Year 2005 Results"
    assert dateline.text == "CHATSWORTH, Calif.--(BUSINESS WIRE)--Nov. 4, 2004--"
    assert lede.text.startswith("Capstone Turbine\nCorporation (Nasdaq:CPST)")
    assert dateline.end == lede.start


@pytest.mark.parametrize("name, phrase", [
    ("cpst-2004-11-04.txt", "Conference Call"),
    ("cpst-2004-11-04.txt", "About Capstone Turbine"),
    ("cpst-2003-07-17.txt", "Second Quarter Financial Highlights"),
    ("cpst-2005-11-10.txt", "Business Summary"),
])
def test_title_lines_are_headings(name, phrase):
    block = block_at(release_of(name), phrase)
    assert (block.kind, block.text) == (BlockKind.HEADING, phrase)


@pytest.mark.parametrize("name, phrase", [
    ("cpst-2004-11-04.txt", 'This press release contains "forward-looking statements,"'),
    ("cpst-2004-11-04.txt", "The Company will host a conference call today"),
    ("cpst-2004-11-04.txt", '"Capstone Turbine Corp" is a registered trademark'),
    ("cpst-2004-11-04.txt", "CONTACT: Capstone Turbine Corporation"),
    ("cpst-2003-07-17.txt", "Capstone cautions readers not to place undue reliance"),
    ("cpst-2003-07-17.txt", "2) Limited operating history characterized by net losses;"),
    ("cpst-2003-11-06.txt", "4) The abilities of new management to effect beneficial changes;"),
    ("cpst-2005-11-10.txt", "CONTACT: Capstone Turbine Corporation"),
])
def test_boilerplate(name, phrase):
    assert block_at(release_of(name), phrase).kind is BlockKind.BOILERPLATE


@pytest.mark.parametrize("name, phrase", [
    ("cpst-2004-11-04.txt", "is the world's leading producer of low-emission"),
    ("cpst-2005-11-10.txt", "Capstone Turbine is a member of the U.S. Environmental"),
    ("cpst-2003-07-17.txt", "has sold and shipped more than"),
])
def test_company_profile_under_about_heading_is_about(name, phrase):
    """Its figures (systems shipped, fleet hours) are claims; the legal text after it is not."""
    assert block_at(release_of(name), phrase).kind is BlockKind.ABOUT


@pytest.mark.parametrize("name, phrase", [
    ("cpst-2004-11-04.txt", "Operating expenses were $8.1 million for the quarter"),
    ("cpst-2004-11-04.txt", "Capstone's net loss was nearly identical"),
    ("cpst-2004-11-04.txt", "Cash and cash equivalents at the end of the period were $86.4 million."),
    ("cpst-2003-07-17.txt", "Gross loss in the quarter was $2.6 million"),
    ("cpst-2003-07-17.txt", "An A&P Waldbaum's supermarket on Long Island"),
    ("cpst-2003-07-17.txt", "A Wisconsin landfill running an array"),
    ("cpst-2003-11-06.txt", "As of September 30, 2003, Capstone had $119.9 million"),
    ("cpst-2005-11-10.txt", "Backlog increased to $12.5 million at quarter-end"),
    ("cpst-2005-11-10.txt", "Completed registered offering of 17,000,000 shares"),
])
def test_financial_prose_and_bullets_are_narrative(name, phrase):
    assert block_at(release_of(name), phrase).kind is BlockKind.NARRATIVE


@pytest.mark.parametrize("name, count", [
    ("cpst-2003-07-17.txt", 1), ("cpst-2003-11-06.txt", 1),
    ("cpst-2004-11-04.txt", 2), ("cpst-2005-11-10.txt", 0)])
def test_quote_paragraphs_are_narrative(name, count):
    release = release_of(name)
    about = block_at(release, "About Capstone Turbine").start
    quotes = [block for block in release.blocks
              if block.text.startswith('"') and block.start < about]
    assert len(quotes) == count
    assert all(block.kind is BlockKind.NARRATIVE for block in quotes)


def test_everything_after_about_the_company_is_boilerplate():
    text = ("Acme Reports\n\nBOSTON, May 5, 2004 -- Acme Corp. (NYSE: AC) said sales rose.\n\n"
            "About 60% of sales came from Europe.\n\n"
            "About Acme\n\nAcme makes anvils.\n\n"
            "Additional Information\n\nAcme files its annual report in March.\n")
    release = read_release(text)
    assert block_at(release, "About 60% of sales").kind is BlockKind.NARRATIVE
    assert block_at(release, "Additional Information").kind is BlockKind.HEADING
    assert block_at(release, "Acme files its annual report").kind is BlockKind.BOILERPLATE


def test_paragraphs_split_at_blank_lines_indents_list_items_and_title_lines():
    text = ("Acme Reports Results\n\n"
            "    BOSTON, May 5, 2004 -- Acme Corp. (NYSE: AC) said sales rose to $5.1\n"
            "million in the quarter.\n"
            "    Costs fell to $2.0 million, helped by lower freight and lower\n"
            "rent.\n"
            "    Financial Summary\n"
            "    Gross margin rose to 41%, from 38% in the same quarter of last\n"
            "year.\n"
            "    The highlights of the quarter were:\n"
            "    --  record orders of $9.9 million, the most in a single\n"
            "        quarter;\n"
            "    --  backlog of $12.5 million.\n")
    release = read_release(text)
    assert_well_formed(release)
    assert [(block.kind, block.text.split()[0]) for block in release.blocks] == [
        (BlockKind.HEADLINE, "Acme"), (BlockKind.DATELINE, "BOSTON,"),
        (BlockKind.NARRATIVE, "Acme"), (BlockKind.NARRATIVE, "Costs"),
        (BlockKind.HEADING, "Financial"), (BlockKind.NARRATIVE, "Gross"),
        (BlockKind.NARRATIVE, "The"), (BlockKind.NARRATIVE, "--"),
        (BlockKind.NARRATIVE, "--")]
    assert release.blocks[-2].text.endswith("single\n        quarter;")


def test_crlf_is_kept_and_offsets_still_hold():
    raw = (CORPUS / "cpst-2004-11-04.txt").read_bytes().replace(b"\n", b"\r\n")
    release = read_release(raw, "crlf.txt")
    assert "\r\n" in release.text and release.doc == "crlf.txt"
    assert_well_formed(release)
    unix = release_of("cpst-2004-11-04.txt")
    assert [b.kind for b in release.blocks] == [b.kind for b in unix.blocks]
    assert [b.text.split() for b in release.blocks] == [b.text.split() for b in unix.blocks]


def test_reader_is_fast():
    raw = (CORPUS / "cpst-2003-11-06.txt").read_bytes()
    read_release(raw)
    timings = []
    for _ in range(15):
        started = time.perf_counter()
        read_release(raw)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.025   # measured ~3 ms; fails on a quadratic turn


# --------------------------------------------------------------------------- sources

def test_path_str_path_bytes_and_text_sources(tmp_path):
    path = tmp_path / "acme-2004.txt"
    path.write_bytes((CORPUS / "cpst-2004-11-04.txt").read_bytes())
    by_path, by_str = read_release(path), read_release(str(path))
    by_bytes = read_release(path.read_bytes())
    by_text = read_release(path.read_text())
    assert by_path.doc == by_str.doc == "acme-2004.txt"
    assert (by_bytes.doc, by_text.doc) == ("<bytes>", "<text>")
    assert by_path.blocks == by_str.blocks == by_bytes.blocks == by_text.blocks
    assert read_release(path, "other.txt").doc == "other.txt"


@pytest.mark.parametrize("source, message", [
    (b"", "empty file"),
    (b" \n\t\r\n", "empty file"),
    ("   \n  ", "empty file"),
    (b"GIF89a\x00\x01\x02\x00binary", "NUL bytes"),
    ("\x01\x02\x03\x04\x05\x06 text\n", "non-text"),
    ("no-such-release.txt", "no such file"),
])
def test_not_a_release(source, message):
    with pytest.raises(ReleaseError, match=message):
        read_release(source)


@pytest.mark.parametrize("sample", [
    "plain text\n", "\x01\x02 tab\t \x0b\x0c\x7f\x1f\x0e\r\n",
    "caf\u00e9 \x01 \x85 \x9f \ufffd \ue000", "\x00\x08\x09\x0d",
])
def test_control_count_agrees_with_the_control_pattern(sample):
    assert document._control_count(sample) == len(document._CONTROL_RE.findall(sample))


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Acme Reports Results\n" * 10)
    with pytest.raises(ReleaseError, match="too large"):
        read_release(path, max_bytes=100)
    with pytest.raises(ReleaseError, match="too large"):
        read_release(path.read_bytes(), max_bytes=100)
    assert read_release(path, max_bytes=1000).text.startswith("Acme")


def test_a_directory_is_not_a_release(tmp_path):
    with pytest.raises(ReleaseError, match="cannot read"):
        read_release(tmp_path)


# --------------------------------------------------------------------------- decoding

def test_decode_cp1252_curly_quotes():
    assert decode(b"\x93quoted\x94 \x96 $3.9") == ("\u201cquoted\u201d \u2013 $3.9", "cp1252")


def test_decode_utf8_and_its_bom():
    assert decode("café".encode()) == ("café", "utf-8")
    assert decode(b"\xef\xbb\xbfAcme") == ("Acme", "utf-8-sig")


@pytest.mark.parametrize("raw, codec", [
    (b"\xff\xfe" + "Acme \u201cCorp\u201d\r\n".encode("utf-16-le"), "utf-16-le"),
    (b"\xfe\xff" + "Acme \u201cCorp\u201d\r\n".encode("utf-16-be"), "utf-16-be"),
    ("Acme \u201cCorp\u201d\r\n".encode("utf-16-le"), "utf-16-le"),
])
def test_decode_utf16(raw, codec):
    assert decode(raw) == ("Acme \u201cCorp\u201d\r\n", codec)


def test_decode_falls_back_to_latin1():
    assert decode(b"Caf\xe9 \x81") == ("Café \x81", "latin-1")


def test_utf16_release_reads_like_its_ascii_original():
    text = (CORPUS / "cpst-2005-11-10.txt").read_text()
    release = read_release(text.encode("utf-16"))
    assert release.encoding == "utf-16-le" and release.text == text
    assert release.blocks == read_release(text).blocks


# --------------------------------------------------------------------------- dates and issuers

PR_NEWSWIRE = """Acme Widgets Reports Second Quarter Results

NEW YORK, {date} /PRNewswire-FirstCall/ -- Acme Widgets, Inc. (NYSE: ACM)
today reported results for the {period}. Net income was $4.2 million,
compared with $3.1 million a year ago.

SOURCE Acme Widgets, Inc.
"""


@pytest.mark.parametrize("date, period, expected", [
    ("July 22", "second quarter ended June 30, 2004", dt.date(2004, 7, 22)),
    ("January 28", "fourth quarter ended December 31, 2004", dt.date(2005, 1, 28)),
    ("Sept. 9, 2005", "quarter ended July 31, 2005", dt.date(2005, 9, 9)),
])
def test_prnewswire_dateline(date, period, expected):
    release = read_release(PR_NEWSWIRE.format(date=date, period=period))
    assert release.date == expected
    dateline = next(block for block in release.blocks if block.kind is BlockKind.DATELINE)
    assert dateline.text == f"NEW YORK, {date} /PRNewswire-FirstCall/ --"
    assert release.issuer == Issuer("Acme Widgets, Inc.", "NYSE", "ACM")
    assert block_at(release, "SOURCE Acme").kind is BlockKind.BOILERPLATE


def test_iso_dateline():
    text = "Acme Reports\n\n2004-11-04 -- Acme Corp. (AMEX:ABC) said sales rose.\n"
    release = read_release(text)
    assert release.date == dt.date(2004, 11, 4)
    assert release.issuer == Issuer("Acme Corp.", "AMEX", "ABC")


@pytest.mark.parametrize("opening, issuer", [
    ("OVERLAND PARK, Kan. -- Sprint Nextel Corp. (NYSE: S) today said",
     Issuer("Sprint Nextel Corp.", "NYSE", "S")),
    ("CUPERTINO, Calif.--(BUSINESS WIRE)--Jan. 12, 2005--Apple(R) Computer, Inc. "
     "(NASDAQ: AAPL) today said", Issuer("Apple Computer, Inc.", "NASDAQ", "AAPL")),
    ("AUSTIN, Texas -- Lone Star Labs Corporation (Nasdaq/NM: LSLB) today said",
     Issuer("Lone Star Labs Corporation", "NASDAQ", "LSLB")),
    ("TULSA, Okla. -- Prairie Gas Co. (OTC BB: prgs) today said",
     Issuer("Prairie Gas Co.", "OTC BB", "PRGS")),
    ("BOSTON -- Shares rose. Harbor Light Holdings Ltd. reported a loss today",
     Issuer("Harbor Light Holdings Ltd.", None, None)),
    ("BOSTON -- sales rose five percent today", Issuer(None, None, None)),
])
def test_issuer(opening, issuer):
    assert read_release(f"Headline\n\n{opening}, its results.\n").issuer == issuer


# --------------------------------------------------------------------------- EDGAR submissions

def test_edgar_submission():
    release = read_release(EDGAR)
    assert_well_formed_release_part(release)
    assert release.issuer == Issuer("Northwind Freight Systems, Inc.", "NYSE", "NWF")
    assert release.date == dt.date(2006, 2, 8)
    narrative = [block for block in release.blocks if block.kind is BlockKind.NARRATIVE]
    assert [block.exhibit for block in narrative] == ["EX-99.1", "EX-99.1"]
    assert narrative[0].text.startswith("Northwind Freight Systems, Inc.\n(NYSE: NWF)")
    (table,) = [block for block in release.blocks if block.kind is BlockKind.TABLE]
    assert table.exhibit == "EX-99.2"
    assert table.text.startswith("NORTHWIND FREIGHT SYSTEMS, INC.\n")
    assert "(in thousands, except per share amounts)" in table.text
    assert table.text.endswith("$        0.62    $        0.53")
    assert block_at(release, "About Northwind Freight").kind is BlockKind.HEADING
    assert block_at(release, "operates 2,100 tractors").kind is BlockKind.ABOUT


def assert_well_formed_release_part(release):
    """The envelope, the 8-K body and the exhibit labels are blank in `clean`."""
    text, clean = release.text, release.clean
    assert len(clean) == len(text)
    for outside in ("ACCESSION NUMBER", "<TYPE>EX-99.1", "Item 2.02", "EXHIBIT 99.1",
                    "EXHIBIT 99.2", "</SEC-DOCUMENT>"):
        position = text.index(outside)
        assert not clean[position:position + len(outside)].strip(), outside
        assert not any(b.start <= position < b.end for b in release.blocks)
    assert [b.start for b in release.blocks] == sorted(b.start for b in release.blocks)
    assert all(b.text == clean[b.start:b.end] for b in release.blocks)


def test_edgar_issuer_and_date_fall_back_on_the_sec_header():
    text = EDGAR.read_text().replace("(NYSE: NWF) ", "").replace(
        "DALLAS, Feb. 8, 2006 /PRNewswire/ -- ", "")
    release = read_release(text)
    assert release.issuer == Issuer("NORTHWIND FREIGHT SYSTEMS INC", None, None)
    assert release.date == dt.date(2006, 2, 8)
    assert not any(block.kind is BlockKind.DATELINE for block in release.blocks)


# --------------------------------------------------------------------------- markup

HTML = """<html><head><title>Acme news</title><style>p {color: red}</style></head><body>
<p>SPRINGFIELD, Ill., March 3, 2005 -- Acme Tools Corp. (NYSE: ACT) said revenue rose 5%
to $9.1 million &amp; margins improved.</p>
<p>&#8220;We are pleased,&#8221; said Jo Smith, Acme&#8217;s CEO.</p>
<p align="center"><b>ACME TOOLS CORP.<br>CONSOLIDATED STATEMENTS OF OPERATIONS<br>
(in thousands)</b></p>
<table border="0"><tr><td>Revenue</td><td>$ 9,100</td><td>$ 8,650</td></tr>
<tr><td>Net income</td><td>1,200</td><td>(1,050)</td></tr></table>
<p>About Acme</p><p>Acme makes tools.</p>
</body></html>"""


def test_html_release():
    release = read_release(HTML)
    assert_well_formed(release)
    assert release.issuer == Issuer("Acme Tools Corp.", "NYSE", "ACT")
    assert release.date == dt.date(2005, 3, 3)
    assert "<" not in release.clean and "Acme news" not in release.clean
    assert "$9.1 million &     margins" in release.clean
    assert block_at(release, "said revenue rose 5%").kind is BlockKind.NARRATIVE
    quote = block_at(release, "We are pleased")
    assert quote.kind is BlockKind.NARRATIVE and quote.text.startswith("\u201c")
    table = block_at(release, "Net income")
    assert table.kind is BlockKind.TABLE
    assert table.text.startswith("ACME TOOLS CORP.")
    assert re.search(r"Revenue\s+\$ 9,100\s+\$ 8,650", table.text)
    assert block_at(release, "Acme makes tools.").kind is BlockKind.ABOUT


def test_stray_markup_in_a_text_release_is_blanked():
    text = ("Acme Reports\n\nBOSTON, May 5, 2004 -- Acme Corp. (NYSE: AC) said R&amp;D<br>"
            "fell &#36;2 million.\n")
    release = read_release(text)
    assert "R&    D" in release.clean and "<br>" not in release.clean
    assert "$    2 million" in release.clean
    assert_well_formed(release)


# --------------------------------------------------------------------------- any text

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(
        (CORPUS / "cpst-2003-07-17.txt").read_text().splitlines(keepends=True)
        + ["<p>", "</td><td>", "&amp;", "<table>", "</table>", "\r\n", "\n\n", "    ",
           "NEW YORK, July 22 /PRNewswire/ -- ", "(NYSE: S)", "--(BUSINESS WIRE)--"]),
        max_size=40).map("".join)))
def test_any_text_reads_or_raises_release_error(text):
    try:
        release = read_release(text)
    except ReleaseError:
        return
    assert_well_formed(release)


def test_a_plain_dateline_in_the_opening_words_gives_the_date():
    release = read_release("Acme Reports\n\nDallas, TX (February 8, 2006) - Acme Co. (NYSE:AC) "
                           "today reported revenue of $5 million.\n")
    assert release.date == dt.date(2006, 2, 8)


def test_an_entity_inside_a_tag_is_blanked_with_the_tag():
    text = '<p title="AT&amp;T">Acme &amp; Co. reports</p>\n'
    clean = read_release(text).clean
    assert len(clean) == len(text)
    assert "&" not in clean[:clean.index("Acme")]  # the attribute's entity went with its tag
    assert "Acme &     Co. reports" in clean


def test_the_gap_before_the_last_words_of_a_line():
    from extractor.document import _gap_before_last
    assert _gap_before_last("Net sales   \t 1,234  5,678", 2) == "   \t "
    assert _gap_before_last("Net sales 1,234", 1) == " "


def test_legal_text_is_told_by_its_phrases_in_any_case():
    from extractor.document import _is_legal
    assert _is_legal("This release contains Forward-Looking Statements about Acme.")
    assert _is_legal("Acme is a registered trademark of Acme Corp.")
    assert _is_legal("Listen to the WEBCAST at 5 pm.")
    assert not _is_legal("Revenue grew 12% on strong service demand in the web market.")
