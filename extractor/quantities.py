"""Figure text -> Quantity: value fully scaled, unit, precision of the last stated digit.

Our code owns scale words, parentheses ("($0.12)" states a loss of 0.12: values are magnitudes,
as the prose states them) and the unit vocabulary (patterns/lexicon.json),
because quantulum3 mis-scales ("quarter" = 0.25, years, times of day) when run over prose. It is
consulted only for a unit word our vocabulary does not know, on the short span found; its quirks
(lazy 2 s import, a warning about its optional classifier, float values) stay in this module.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Mapping, Optional

from .models import Quantity, Unit

NUMBER = re.compile(r"\.?\d[\d,]*(?:\.\d+)?")
FIGURE_WORD = re.compile(r"\.?\d[\d,]*(?:\.\d+)?|[A-Za-z]+(?:-[A-Za-z]+)*|[$%()]")
CURRENCY_SYMBOL = re.compile(r"\(?\s*([^\d\s(.]+)")


@dataclass(frozen=True)
class Lexicon:
    """Words that carry numbers: scales, units, qualifiers, ratio words (from patterns/)."""

    scales: Mapping[str, Decimal]
    units: Mapping[str, Unit]
    unit_scales: Mapping[str, Decimal]
    number_words: Mapping[str, Decimal]
    ratio_words: Mapping[str, Decimal]
    qualifiers: Mapping[str, str]
    change_before: tuple[str, ...]
    change_after: tuple[str, ...]
    amount_before: tuple[str, ...]
    ratio_after: tuple[str, ...]
    comparison_markers: tuple[str, ...]
    base_only_periods: tuple[str, ...]
    attach_after: frozenset
    component_verbs: frozenset
    unit_default_metrics: Mapping[Unit, str]
    forecast_cues: frozenset
    segment_pattern: re.Pattern  # capitalised words before a segment noun
    ratio_blockers: frozenset
    range_blockers: frozenset
    currencies: Mapping[str, Unit]
    vague_positions: Mapping[str, tuple[Decimal, Decimal]]
    vague_bases: Mapping[str, Decimal]
    respectively: tuple[str, ...]


def parse_number(text: str, lexicon: Lexicon) -> Optional[tuple[Decimal, Decimal]]:
    """A printed number or number word -> (value, unit of its last digit)."""
    cleaned = text.replace(",", "").strip()
    if NUMBER.fullmatch(text.strip()):
        value = Decimal(cleaned if not cleaned.startswith(".") else "0" + cleaned)
        decimals = len(cleaned.split(".")[1]) if "." in cleaned else 0
        return value, Decimal(1).scaleb(-decimals)
    word = lexicon.number_words.get(cleaned.lower())
    if word is not None:
        return word, Decimal(1)
    return None


def split_words(text: str) -> list[str]:
    """Tokens of a short figure span: numbers, words, and the symbols $ % ( )."""
    return FIGURE_WORD.findall(text)


def scale_of(words: list[str], lexicon: Lexicon) -> Decimal:
    for word in words:
        scale = lexicon.scales.get(word.lower())
        if scale is not None:
            return scale
    return Decimal(1)


def unit_of(words: list[str], lexicon: Lexicon) -> Optional[tuple[Unit, Decimal]]:
    """The unit named by the span's words, longest phrase first; quantulum3 as a fallback."""
    lowered = [word.lower() for word in words]
    for size in (2, 1):
        for index in range(len(lowered) - size + 1):
            phrase = " ".join(lowered[index:index + size])
            if phrase in lexicon.units:
                return lexicon.units[phrase], lexicon.unit_scales.get(phrase, Decimal(1))
    unknown = [word for word in lowered if word.isalpha() and word not in lexicon.scales]
    if unknown:
        return unit_from_quantulum(" ".join(["1"] + unknown[-1:]))
    return None


def currency_of(text: str, lexicon: Lexicon) -> Unit:
    """The currency a money figure is printed in: "$" US dollars, "C$" Canadian ..."""
    symbol = CURRENCY_SYMBOL.match(text.strip())
    return lexicon.currencies.get(symbol.group(1).lower(), Unit.USD) if symbol else Unit.USD


def money(text: str, words: list[str], lexicon: Lexicon, per_share: bool) -> Optional[Quantity]:
    number = next((parse_number(word, lexicon) for word in words if NUMBER.fullmatch(word)), None)
    if number is None:
        return None
    value, precision = number
    lowered = [word.lower() for word in words]
    if "cents" in lowered or "cent" in lowered:
        value, precision = value / 100, precision / 100
    scale = scale_of(words, lexicon)
    currency = currency_of(text, lexicon)
    unit = Unit.USD_PER_SHARE if per_share and currency == Unit.USD else currency
    return Quantity(value=value * scale, unit=unit, precision=precision * scale)


def measured(words: list[str], lexicon: Lexicon) -> Optional[Quantity]:
    """A number with a scale word and a unit: "11.3 megawatts", "Ten million hours"."""
    number = next(filter(None, (parse_number(word, lexicon) for word in words)), None)
    unit = unit_of(words, lexicon)
    if number is None or unit is None:
        return None
    value, precision = number
    scale = scale_of(words, lexicon) * unit[1]
    return Quantity(value=value * scale, unit=unit[0], precision=precision * scale)


def ratio(text: str, lexicon: Lexicon) -> Optional[Quantity]:
    lowered = " ".join(text.lower().replace(" - ", "-").split())
    for phrase, value in sorted(lexicon.ratio_words.items(), key=lambda item: -len(item[0])):
        if re.search(rf"\b{re.escape(phrase)}\b", lowered):
            return Quantity(value=value, unit=Unit.RATIO, precision=Decimal("0.05"))
    return None


def money_range(words: list[str], lexicon: Lexicon) -> Optional[Quantity]:
    """"$2.10 to $2.20 billion": both ends take the scale printed after the second."""
    numbers = [parse_number(word, lexicon) for word in words if NUMBER.fullmatch(word)]
    if len(numbers) != 2 or None in numbers:
        return None
    scale = scale_of(words, lexicon)
    (low, precision), (high, _) = numbers
    return Quantity(value=low * scale, unit=currency_of(" ".join(words), lexicon),
                    precision=precision * scale, value_high=high * scale)


def vague_range(text: str, lexicon: Lexicon) -> Optional[Quantity]:
    """"low single digits" 1-3, "mid-teens" 14-16, "low 40 percents" 40-43 (in percent)."""
    words = re.findall(r"[a-z]+|\d+", text.lower())
    position = next((lexicon.vague_positions[word] for word in words if word in lexicon.vague_positions), None)
    base = next((lexicon.vague_bases[word] for word in words if word in lexicon.vague_bases), None)
    tens = next((Decimal(word) for word in words if word.isdigit()), None)
    base = tens if tens is not None else base
    if position is None or base is None:
        return None
    low, high = base + position[0], base + position[1]
    return Quantity(value=max(low, Decimal(1)), unit=Unit.PERCENT, precision=Decimal(1), value_high=high)


def parse_figure(text: str, label: str, lexicon: Lexicon) -> Optional[Quantity]:
    """Read one figure span found by the figure rules; None when it holds no figure after all."""
    words = split_words(text)
    if label == "MONEY_RANGE":
        return money_range(words, lexicon)
    if label == "VAGUE_RANGE":
        return vague_range(text, lexicon)
    if label in ("MONEY", "PER_SHARE"):
        return money(text, words, lexicon, per_share=label == "PER_SHARE")
    if label == "RATIO":
        return ratio(text, lexicon)
    if label == "ZERO":
        return Quantity(value=Decimal(0), unit=Unit.USD, precision=Decimal(1))
    if label == "COUNT":
        number = parse_number(words[0], lexicon) if words else None
        return Quantity(value=number[0], unit=Unit.UNITS, precision=number[1]) if number else None
    return measured(words, lexicon)


@lru_cache(maxsize=512)
def unit_from_quantulum(text: str) -> Optional[tuple[Unit, Decimal]]:
    """Ask quantulum3 for a unit our vocabulary lacks; map its unit name onto ours."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from quantulum3 import parser
            found = parser.parse(text)
    except Exception:  # quantulum3 raises assorted errors on odd input: treat as "no unit"
        return None
    for quantity in found:
        mapped = QUANTULUM_UNITS.get(quantity.unit.name)
        if mapped:
            return mapped, Decimal(1)
    return None


QUANTULUM_UNITS = {
    "megawatt": Unit.MW, "kilowatt": Unit.KW, "megawatt hour": Unit.MWH, "kilowatt hour": Unit.KWH,
    "hour": Unit.HOURS, "percentage": Unit.PERCENT,
}
