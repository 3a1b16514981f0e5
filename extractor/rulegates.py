"""Which words a rule's regex can start at, derived from the regex: a scan then tries the rule
only at those words.

Scanning a release with every rule costs most where a rule starts with a list of words
(<ORDINAL>, <MONTH>): the engine tries it at every character. A rule's match can only start
at a word with one of a few heads ("secon" for "second", "a" for "a year ago"), so rules run
only at the words that have one. The heads are derived from each compiled regex by walking its
parse tree (the standard library's parser; the rules are Perl syntax both engines read alike),
never written by hand, and they over-approximate: a construct the walk does not know leaves
its rule ungated, scanning the whole text.
"""
from __future__ import annotations

import operator
import re
import string
import warnings
from itertools import accumulate, compress, islice
from re import _constants as _sre, _parser as _sre_parser  # the stdlib regex parser
from typing import Optional, Sequence

HEAD = 5                       # letters of a word that decide which rules may start at it
_ENDED = " "                    # in a head being derived: a non-word character, the word ended
_WORD = frozenset(string.ascii_lowercase + string.digits + "_")
_CASED_WORD = frozenset(string.ascii_letters + string.digits + "_")
_ANY = _WORD | {_ENDED}
_MAX_HEADS = 4096               # a rule that could start with more heads runs ungated
_WORDS_AND_GAPS = re.compile(r"(\W+)", re.ASCII)  # \w as the rules read it (regex.ASCII)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # keeps offsets
_head_of = operator.itemgetter(slice(HEAD))
_CATEGORY_CHARS = {
    _sre.CATEGORY_DIGIT: frozenset(string.digits),
    _sre.CATEGORY_NOT_DIGIT: _ANY - set(string.digits),
    _sre.CATEGORY_SPACE: frozenset(_ENDED), _sre.CATEGORY_NOT_SPACE: _ANY,
    _sre.CATEGORY_WORD: _WORD, _sre.CATEGORY_NOT_WORD: frozenset(_ENDED),
}
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT)


class _NoGate(Exception):
    """The regex uses something the head walk does not know: its rule runs ungated."""


def word_heads(sentence: str, wanted: frozenset[str]) -> dict[str, list[int]]:
    """Where the words with a wanted head start, by head: one pass shared by the gated rules.

    Splitting, offsets and the head filter run in C; Python loops only over the wanted words.
    """
    pieces = _WORDS_AND_GAPS.split(sentence.translate(_ASCII_LOWER))  # word, gap, ..., word
    starts = islice(accumulate(map(len, pieces), initial=0), 0, None, 2)
    heads = list(map(_head_of, pieces[::2]))
    keep = list(map(wanted.__contains__, heads))
    found: dict[str, list[int]] = {}
    for head, start in zip(compress(heads, keep), compress(starts, keep)):
        found.setdefault(head, []).append(start)
    return found


def derive_heads(expanded: str) -> Optional[frozenset[str]]:
    r"""The heads of the words a rule's matches start with, or None if they cannot be derived.

    Sound only for a match that starts at a word (the leading `(?<!\w)` of `_expand`) and whose
    first word ends where a non-word character or the end of the text follows it.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set": the engines may differ
            parsed = _sre_parser.parse(expanded, re.IGNORECASE | re.ASCII)
        items = list(parsed)
        if parsed.state.flags != re.IGNORECASE | re.ASCII or not items or \
                not _is_word_test(items[0], direction=-1):
            return None
        heads = _sequence_heads({""}, items[1:])
    except (_NoGate, re.error, Warning):
        return None
    if not all(head[:1] in _WORD and (head.endswith(_ENDED) or len(head) == HEAD)
               for head in heads):
        return None
    return frozenset(head.rstrip(_ENDED) for head in heads)


def _is_word_test(item: tuple, direction: int) -> bool:
    r"""`(?<!\w)` (direction -1) or `(?!\w)` (direction 1)."""
    op, arg = item
    return (op is _sre.ASSERT_NOT and arg[0] == direction
            and list(arg[1]) == [(_sre.IN, [(_sre.CATEGORY, _sre.CATEGORY_WORD)])])


def _cut(text: str) -> str:
    """A match's start, as far as it decides the head: HEAD word characters or the word's end."""
    ended = text.find(_ENDED, 0, HEAD)
    return text[:HEAD] if ended < 0 else text[:ended + 1]


def _is_decided(start: str) -> bool:
    return len(start) == HEAD or start.endswith(_ENDED)


def _concat(starts: set[str], chars: set[str]) -> set[str]:
    open_starts = {start for start in starts if not _is_decided(start)}
    if not open_starts:
        return starts
    joined = starts - open_starts | {_cut(start + char) for start in open_starts for char in chars}
    if len(joined) > _MAX_HEADS:
        raise _NoGate
    return joined


def _sequence_heads(starts: set[str], items: Sequence[tuple]) -> set[str]:
    """`starts` (see _cut) continued by what `items` can match.

    Walks every node even once all heads are decided: a node may still refuse the gate
    (fuzzy-matching braces apply to what came before them)."""
    for item in items:
        starts = _item_heads(starts, *item)
    return starts


def _item_heads(starts: set[str], op, arg) -> set[str]:
    """`starts` continued by what one parse-tree node can match; over, never under."""
    if op is _sre.LITERAL:
        return _concat(starts, {_head_char(arg)})
    if op in (_sre.ANY, _sre.NOT_LITERAL):
        return _concat(starts, _ANY)
    if op is _sre.IN:
        return _concat(starts, _class_heads(arg))
    if op is _sre.BRANCH:
        return set().union(*(_sequence_heads(starts, branch) for branch in arg[1]))
    if op is _sre.SUBPATTERN and not arg[1] and not arg[2]:  # a group without inline flags
        return _sequence_heads(starts, arg[3])
    if op is _sre.ATOMIC_GROUP:
        return _sequence_heads(starts, arg)
    if op in _REPEATS:
        return _repeated(starts, arg[2], arg[0], arg[1])
    if _is_word_test((op, arg), direction=1):
        return _concat(starts, {_ENDED})
    if op in _ZERO_WIDTH:
        return starts
    raise _NoGate


def _repeated(starts: set[str], items: Sequence[tuple], low: int, high: int) -> set[str]:
    """Repeats past the HEAD-th decide no head the first ones left open: each adds a character."""
    result, power = set(), starts
    for count in range(min(high, HEAD) + 1):
        if count >= min(low, HEAD):
            result |= power
        longer = _sequence_heads(power, items)
        if longer == power:  # a fixed point: the remaining repeats all give `power`
            return result | power
        power = longer
    return result


def _head_char(code: int) -> str:
    char = chr(code)
    if char in "{}":
        raise _NoGate  # the regex module may read braces as fuzzy-matching constraints
    char = char.lower() if char.isascii() else char  # ASCII|IGNORECASE folds ASCII letters only
    return char if char in _WORD else _ENDED


def _class_heads(items: Sequence[tuple]) -> set[str]:
    heads: set[str] = set()
    for op, arg in items:
        if op is _sre.NEGATE:
            return set(_ANY)
        if op is _sre.LITERAL and chr(arg) == "[":
            raise _NoGate  # the regex module reads "[[:alpha:]]" as a POSIX class, re does not
        if op is _sre.LITERAL:
            heads.add(_head_char(arg))
        elif op is _sre.RANGE:
            heads |= _range_heads(*arg)
        elif op is _sre.CATEGORY and arg in _CATEGORY_CHARS:
            heads |= _CATEGORY_CHARS[arg]
        else:
            raise _NoGate
    return heads


def _range_heads(low: int, high: int) -> set[str]:
    cased = {char for char in _CASED_WORD if low <= ord(char) <= high}
    heads = {char.lower() for char in cased}
    return heads | {_ENDED} if len(cased) < high - low + 1 else heads


def unsearched(expanded: str) -> str:
    """The same regex, but the regex module no longer searches the rest of the text for its
    longest literal before each match() (an O(text) check per word a gated rule tries)."""
    return expanded + "|(?!)"  # an alternative that never matches
