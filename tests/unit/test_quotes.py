"""Quotations and their speakers: role table, corpus quotes against the gold, wordings, robustness."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from extractor.models import Speaker
from extractor.quotes import compile_role_rules, find_quotes, speaker_at

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
ROLE_ROWS = [json.loads(line) for line in (ROOT / "patterns" / "roles.jsonl").read_text().splitlines()
             if line.strip()]
ATTRIBUTION = json.loads((ROOT / "patterns" / "attribution.json").read_text())
TABLE = compile_role_rules(ROLE_ROWS, ATTRIBUTION)
GOLD = [json.loads(line) for line in (ROOT / "tests" / "data" / "gold_claims.jsonl").read_text().splitlines()
        if line.strip()]


def quotes_in(text: str, spans=None):
    return find_quotes("test.txt", text, spans if spans is not None else [(0, len(text))], TABLE)


def speaker_of(text: str, phrase: str, spans=None):
    offset = text.find(phrase)
    assert offset >= 0, phrase
    return speaker_at(quotes_in(text, spans), offset)


def release(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def wire_paragraph_spans(text: str) -> list[tuple[int, int]]:
    """One span per indented paragraph, as a document splitter may hand them over."""
    starts = [m.start() for m in re.finditer(r"(?m)^[ \t]+\S", text)] + [len(text)]
    return list(zip(starts, starts[1:]))


# --- role table ----------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROLE_ROWS, ids=[row["id"] for row in ROLE_ROWS])
def test_every_role_example_is_attributed_its_role(row):
    quotes = quotes_in(row["example"])
    assert len(quotes) == 1
    assert quotes[0].speaker is not None
    assert quotes[0].speaker.role == row["role"]
    assert quotes[0].speaker.name.endswith("Doe")


def test_required_normalised_roles_are_in_the_file():
    roles = {row["role"] for row in ROLE_ROWS}
    assert {"CEO", "CFO", "President and CEO", "Interim CEO", "COO", "Chairman",
            "Chairman and CEO", "SVP Sales and Service"} <= roles
    assert all(set(row) == {"id", "titles", "role", "example"} for row in ROLE_ROWS)


@pytest.mark.parametrize("bad, message", [
    ({"id": "ceo", "titles": ["CEO"], "role": "CEO", "example": "x", "verbs": []}, "'ceo'.*unknown keys"),
    ({"id": "ceo", "titles": [], "role": "CEO", "example": "x"}, "'ceo'.*titles"),
    ({"id": "ceo", "titles": ["CEO"], "role": "CEO"}, "'ceo'.*missing"),
])
def test_bad_role_rows_are_refused_naming_the_id(bad, message):
    with pytest.raises(ValueError, match=message):
        compile_role_rules([bad], ATTRIBUTION)


def test_duplicate_role_id_is_refused():
    row = {"id": "cfo", "titles": ["CFO"], "role": "CFO", "example": "x"}
    with pytest.raises(ValueError, match="duplicate id 'cfo'"):
        compile_role_rules([row, dict(row)], ATTRIBUTION)


def test_unknown_attribution_key_is_refused():
    with pytest.raises(ValueError, match="unknown keys"):
        compile_role_rules(ROLE_ROWS, {**ATTRIBUTION, "verb": ["said"]})


def test_packaged_attribution_words_are_the_default():
    text = '"Orders doubled this year," said Jane Doe, CFO of Acme.'
    quotes = find_quotes("d", text, [(0, len(text))], compile_role_rules(ROLE_ROWS, ATTRIBUTION))
    assert quotes[0].speaker == Speaker("Jane Doe", "CFO")


# --- the corpus against the gold -------------------------------------------------------------


def anchor_offset(text: str, claim: dict) -> int:
    """Offset of the claim's figure; the gold matches any run of whitespace as one space."""
    pattern = r"\s+".join(map(re.escape, claim["anchor"].split()))
    match = re.search(pattern, text)
    assert match, claim["anchor"]
    inner = re.search(r"\s+".join(map(re.escape, claim["text"].split())), match.group())
    return match.start() + inner.start()


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.txt")))
@pytest.mark.parametrize("splitting", ["whole text", "paragraph spans"])
def test_gold_speakers_of_every_corpus_claim(name, splitting):
    text = release(name)
    spans = [(0, len(text))] if splitting == "whole text" else wire_paragraph_spans(text)
    quotes = quotes_in(text, spans)
    claims = [claim for claim in GOLD if claim["doc"] == name]
    assert claims
    for claim in claims:
        expected = Speaker(**claim["speaker"]) if claim["speaker"] else None
        assert speaker_at(quotes, anchor_offset(text, claim)) == expected, claim["anchor"]


@pytest.mark.parametrize("name, phrase, speaker", [
    ("cpst-2003-07-17.txt", "The soft economic environment", Speaker("Emily Liggett", "Interim CEO")),
    ("cpst-2003-07-17.txt", "We are working with our business partners", Speaker("Emily Liggett", "Interim CEO")),
    ("cpst-2003-07-17.txt", "and some\ninteresting applications", Speaker("Emily Liggett", "Interim CEO")),
    ("cpst-2003-07-17.txt", "Santa Fe Hilton", Speaker("Emily Liggett", "Interim CEO")),
    ("cpst-2003-07-17.txt", "testing of the power electronics", Speaker("Emily Liggett", "Interim CEO")),
    ("cpst-2003-11-06.txt", "identified quality issues", Speaker("Karen Clark", "CFO")),
    ("cpst-2003-11-06.txt", "exciting first 90 days", Speaker("John Tucker", "CEO")),
    ("cpst-2003-11-06.txt", "Within my first three weeks", Speaker("John Tucker", "CEO")),
    ("cpst-2003-11-06.txt", "Our approach to attacking", Speaker("John Tucker", "CEO")),
    ("cpst-2003-11-06.txt", "hard work ahead", Speaker("John Tucker", "CEO")),
    ("cpst-2004-11-04.txt", "highest backlog level", Speaker("John Tucker", "President and CEO")),
    ("cpst-2004-11-04.txt", "spent $15.9 million", Speaker("Karen Clark", "CFO")),
    ("cpst-2004-11-04.txt", "This is on track with our stated", Speaker("Karen Clark", "CFO")),
    ("cpst-2005-11-10.txt", "Made in California Expo", Speaker("John Tucker", "President and CEO")),
])
def test_corpus_quote_speakers(name, phrase, speaker):
    assert speaker_of(release(name), phrase) == speaker


@pytest.mark.parametrize("name, phrase", [
    ("cpst-2003-07-17.txt", "said Liggett"),
    ("cpst-2003-07-17.txt", "R&D"),
    ("cpst-2003-11-06.txt", "Tucker\noutlined his immediate action plans"),
    ("cpst-2004-11-04.txt", "forward-looking statements"),
    ("cpst-2003-07-17.txt", "Capstone Turbine Corp."),
    ("cpst-2004-11-04.txt", "The improved gross loss resulted"),
])
def test_no_speaker_outside_quotes_or_for_quoted_terms(name, phrase):
    assert speaker_of(release(name), phrase) is None


def test_the_multi_paragraph_quote_stops_where_the_quotation_closes():
    text = release("cpst-2003-07-17.txt")
    parts = [q for q in quotes_in(text) if q.speaker and q.speaker.name == "Emily Liggett"]
    assert parts[0].text.endswith("5.1 megawatt backlog.")
    assert parts[1].text.startswith("We are working") and parts[1].text.endswith("around the world,")
    assert parts[2].text.endswith("microturbines.")


# --- wordings ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, phrase, speaker", [
    ('"Orders grew in every region," said John Roe, President and CEO of Acme.',
     "Orders grew", Speaker("John Roe", "President and CEO")),
    ('"Orders grew in every region," John Roe said.', "Orders grew", Speaker("John Roe", None)),
    ('Acme\'s CFO, Mary Poe, said, "Cash usage fell this quarter."', "Cash usage", Speaker("Mary Poe", "CFO")),
    ('Mary Poe, Acme\'s Chief Financial Officer, said "Cash usage fell."', "Cash usage", Speaker("Mary Poe", "CFO")),
    ('The Company\'s new CEO, John Roe, commented, "It has been a busy quarter."',
     "busy quarter", Speaker("John Roe", "CEO")),
    ('"Margins improved again," said Chairman and CEO Alan J. Lacy.', "Margins", Speaker("Alan J. Lacy", "Chairman and CEO")),
    ('"We hired a new team," said Mary Poe, Senior Vice President of Sales and Service.',
     "new team", Speaker("Mary Poe", "SVP Sales and Service")),
    ('"We hired a new team," said Mary Poe, Acme\'s Vice President of Human Resources.',
     "new team", Speaker("Mary Poe", "Vice President of Human Resources")),
    ('According to Mary Poe, Interim Chief Executive Officer, "the plan is on track."',
     "the plan", Speaker("Mary Poe", "Interim CEO")),
    ('\u201cWe shipped a record,\u201d said Mary Poe, the company\u2019s COO.', "record", Speaker("Mary Poe", "COO")),
    ('\x93We shipped a record,\x94 said Mary Poe, Acme\'s COO.', "record", Speaker("Mary Poe", "COO")),
    ('"We shipped a record quarter," Mary Poe, Director of Operations, said.',
     "record", Speaker("Mary Poe", "Director of Operations")),
    ('"Demand is strong," said Poe, "and we are adding shifts at both plants."',
     "adding shifts", None),
    ('Mary Poe, CFO, said "we met the plan." "Costs fell again in every unit," she added.',
     "Costs fell", Speaker("Mary Poe", "CFO")),
    ('"This was a record year for our company," said John Roe. "We expect more of the same next year."',
     "expect more", Speaker("John Roe", None)),
    ('Revenue rose. John Roe, CEO, commented on the results. "We are pleased with the quarter."',
     "pleased", Speaker("John Roe", "CEO")),
])
def test_attribution_wordings(text, phrase, speaker):
    assert speaker_of(text, phrase) == speaker


def test_mid_quote_attribution_splits_one_quotation_with_one_speaker():
    text = ('John Roe, CEO, spoke first. Later: "Demand is strong," said Mary Poe, CFO, '
            '"and we are adding shifts at both plants."')
    quotes = quotes_in(text)
    assert [q.text for q in quotes] == ["Demand is strong,", "and we are adding shifts at both plants."]
    assert {q.speaker for q in quotes} == {Speaker("Mary Poe", "CFO")}


def test_short_reference_resolves_to_the_full_name_and_keeps_the_role():
    text = ('"Cash usage was $9.2 million this quarter," said Karen Clark, Acme\'s CFO.\n\n'
            'Revenue rose 5%.\n\n'
            '"We spent $15.9 million year to date," Clark said.\n\n'
            'Ms. Clark noted, "Inventory fell."\n')
    assert speaker_of(text, "We spent") == Speaker("Karen Clark", "CFO")
    assert speaker_of(text, "Inventory fell") == Speaker("Karen Clark", "CFO")


def test_surname_resolves_to_a_name_introduced_outside_any_quote():
    text = 'Acme named John Roe as its chief. "Sales rose in each region," Roe said.'
    assert speaker_of(text, "Sales rose") == Speaker("John Roe", None)


def test_a_lone_unknown_word_before_said_is_not_a_speaker():
    assert speaker_of('Analysts said, "This is a very strong result for us."', "strong result") is None


def test_multi_paragraph_quote_with_the_opening_mark_repeated():
    text = ('    Mary Poe, CFO, said, "Revenue grew in all three segments this\n'
            'quarter.\n'
            '    "Costs fell as the new plant came on line and margins\n'
            'widened.\n'
            '    "We expect the trend to continue next year."\n'
            '    Revenue for the year was $12 million, up from $10\n'
            'million.\n')
    quotes = quotes_in(text)
    assert len(quotes) == 3
    assert all(q.speaker == Speaker("Mary Poe", "CFO") for q in quotes)
    assert quotes[0].text.endswith("this\nquarter.")
    assert speaker_of(text, "Revenue for the year") is None


@pytest.mark.parametrize("layout", ["wire", "blank lines"])
def test_a_stray_quotation_mark_does_not_flip_the_rest(layout):
    paragraphs = ['Mary Poe said, "Revenue grew in all three segments this\nquarter.',
                  'Gross margin was 31% for the year, up from 29% a year\nago.',
                  'The new "Turbo" line and the "Mini" line shipped in the\nperiod.',
                  '"We expect the trend to continue next year," John Roe\nsaid.']
    text = "".join("    " + p + "\n" for p in paragraphs) if layout == "wire" else "\n\n".join(paragraphs)
    assert speaker_of(text, "Revenue grew") == Speaker("Mary Poe", None)
    assert speaker_of(text, "Gross margin") is None
    assert speaker_of(text, "shipped in the") is None
    assert speaker_of(text, "We expect the trend") == Speaker("John Roe", None)


def test_quoted_terms_are_not_speech():
    text = 'Research and development ("R&D") costs rose, the company said, and "MEA" sales fell.'
    assert quotes_in(text) == []


def test_quotes_are_sought_only_inside_the_spans():
    text = 'Heading\n"We grew a great deal this year," said John Roe, CEO.\n'
    start = text.index('"')
    assert quotes_in(text, [(0, 7)]) == []
    assert speaker_of(text, "We grew", [(start, len(text))]) == Speaker("John Roe", "CEO")


def test_no_speaker_between_or_after_quotes():
    text = '"We grew," said John Roe, CEO. Revenue was $5 million.'
    quotes = quotes_in(text)
    assert speaker_at(quotes, text.index("said")) is None
    assert speaker_at(quotes, text.index("Revenue")) is None
    assert speaker_at(quotes, len(text) + 10) is None
    assert speaker_at([], 0) is None


# --- robustness ----------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(['"', "\u201c", "\u201d", "\x93", "\x94", " said ", " John Roe", ", CEO",
                             "Ms. ", " Roe noted", ", ", ". ", "\n", "\n    ", "(", ")", "'s ", "he ",
                             "According to ", "Chairman, President and CEO", "a", "Z", "5", ":"])


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(FRAGMENTS | st.text(max_size=6), max_size=40),
       cuts=st.lists(st.integers(-5, 400), max_size=6))
def test_never_raises_and_offsets_point_at_the_quote(pieces, cuts):
    text = "".join(pieces)
    spans = [(0, len(text))] + list(zip(cuts[::2], cuts[1::2]))
    quotes = find_quotes("h", text, spans, TABLE)
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)
    for quote in quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start:quote.end] == quote.text
        assert speaker_at(quotes, quote.start) == quote.speaker


def test_a_quote_read_in_the_clean_text_carries_the_printed_text():
    printed = ('"Revenue <b>rose</b> to $4.1 million this quarter," said Jane Doe, '
               'Chief Financial Officer of Acme.')
    clean = re.sub(r"<[^>]+>", lambda tag: " " * len(tag.group()), printed)
    found = find_quotes("h", clean, [(0, len(clean))], TABLE, printed=printed)
    assert [quote.text for quote in found] == ['Revenue <b>rose</b> to $4.1 million this quarter,']
    assert found[0].speaker.name == "Jane Doe"
    assert printed[found[0].start:found[0].end] == found[0].text
