"""Rule gates: the words a rule's regex can start at, derived from its parse tree."""
from __future__ import annotations

import pytest

from extractor import periods, rulegates


def heads_of(rule_regex: str):
    return rulegates.derive_heads(periods._expand(rule_regex))


@pytest.mark.parametrize("rule_regex, heads", [
    ("(?:a|one) year", {"a", "one"}),
    ("<ORDINAL> half", {"first", "secon", "third", "fourt", "1st", "2nd", "3rd", "4th"}),
    ("q(?P<ordinal>[1-4])", {"q1", "q2", "q3", "q4"}),
    ("x?y(?:z|-z)", {"xyz", "xy", "yz", "y"}),  # "y-z": the word is "y"
    ("sequential(?:ly)?", {"seque"}),
    ("(?:the )?quarter", {"the", "quart"}),
    ("(?:ab){2,}", {"abab", "ababa"}),
    ("[0-2]{1,2} months", {"0", "1", "2", "00", "01", "02", "10", "11", "12", "20", "21", "22"}),
])
def test_heads_are_derived_from_the_regex(rule_regex, heads):
    assert heads_of(rule_regex) == heads


@pytest.mark.parametrize("rule_regex", [
    "<YEAR> period",               # "'05 period" starts with an apostrophe
    "x?",                          # may match nothing
    ".quarter",                    # may start with any character
    "(a)\\1 year",                 # a back-reference
    "(?:first){e<=1} year",        # fuzzy matching in the regex module, literal braces in re
    "a[[:alpha:]] year",           # a POSIX class in the regex module, a nested set in re
    "(?-i:Q)1",                    # inline flags
])
def test_no_gate_where_none_is_safe(rule_regex):
    assert heads_of(rule_regex) is None


def test_word_heads_lowercase_and_offsets():
    text = "In\xa0the SECOND-quarter, (Oct. 24) ſecond"
    found = rulegates.word_heads(text, frozenset({"in", "the", "secon", "quart", "oct", "24"}))
    assert found == {"in": [0], "the": [3], "secon": [7], "quart": [14], "oct": [24],
                     "24": [29]}
