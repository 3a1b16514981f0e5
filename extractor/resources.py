"""The one loader of `patterns/`: reads, validates and freezes every rule file into `Resources`.

It is the only code that knows where the data lives. Validation is strict (unknown keys,
duplicate ids, dangling metric ids are errors) so that a typo in a data edit fails loudly.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Optional

from decimal import Decimal

from .models import Unit, normalize_label
from .periods import compile_period_rules
from .quantities import Lexicon
from .quotes import compile_role_rules


class PatternError(ValueError):
    """A file in patterns/ is malformed; the message names the file, line and id."""


@dataclass(frozen=True)
class Metric:
    """One entry of the metric vocabulary: how prose names it and which table lines confirm it.

    `sign` relates a positive stated value to the table figure: 1 the same sign, -1 a loss or
    usage stated positive against a negative table figure, 0 compare magnitudes."""

    id: str
    label: str
    cues: tuple[str, ...]
    table_lines: tuple[str, ...]
    sign: int
    period: str
    units: tuple[Unit, ...]
    example: str
    default_period: str = "current"

    @property
    def is_instant(self) -> bool:
        return self.period == "instant"


METRIC_KEYS = {"id", "label", "cues", "table_lines", "sign", "period", "units", "example",
               "default_period"}
METRIC_REQUIRED = METRIC_KEYS - {"default_period"}


def patterns_dir() -> Path:
    """Where patterns/ lives: inside the installed package, or at the top of a checkout."""
    try:
        installed = Path(str(importlib_resources.files("extractor.patterns")))
        if (installed / "metrics.jsonl").is_file():
            return installed
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "patterns"


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSONL rule file; a bad line is a PatternError naming file and line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise PatternError(f"{path.name}:{number}: not JSON: {error}") from None
        if not isinstance(row, dict):
            raise PatternError(f"{path.name}:{number}: a rule must be a JSON object")
        rows.append(row)
    return rows


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PatternError(f"{path.name}: not JSON: {error}") from None


def check_keys(row: dict, allowed: set, required: set, where: str) -> None:
    unknown = set(row) - allowed
    if unknown:
        raise PatternError(f"{where}: unknown keys {sorted(unknown)}")
    missing = required - set(row)
    if missing:
        raise PatternError(f"{where}: missing keys {sorted(missing)}")


def unique_ids(rows: list[dict], name: str) -> None:
    seen: set = set()
    for row in rows:
        ident = row.get("id")
        if ident in seen:
            raise PatternError(f"{name}: duplicate id {ident!r}")
        seen.add(ident)


def build_metric(row: dict) -> Metric:
    where = f"metrics.jsonl: {row.get('id')!r}"
    check_keys(row, METRIC_KEYS, METRIC_REQUIRED, where)
    if row["period"] not in ("duration", "instant"):
        raise PatternError(f"{where}: period must be duration or instant")
    if row["sign"] not in (-1, 0, 1):
        raise PatternError(f"{where}: sign must be -1, 0 or 1")
    if row.get("default_period", "current") not in ("current", "release_date"):
        raise PatternError(f"{where}: default_period must be current or release_date")
    return Metric(
        id=row["id"], label=row["label"],
        cues=tuple(cue.lower() for cue in row["cues"]),
        table_lines=tuple(normalize_label(line) for line in row["table_lines"]),
        sign=row["sign"], period=row["period"], units=parse_units(row["units"], where),
        example=row["example"], default_period=row.get("default_period", "current"),
    )


def parse_units(names: list, where: str) -> tuple[Unit, ...]:
    try:
        units = tuple(Unit(name) for name in names)
    except ValueError as error:
        raise PatternError(f"{where}: {error}") from None
    if not units:
        raise PatternError(f"{where}: at least one unit is needed")
    return units


def load_metrics(directory: Path) -> Mapping[str, Metric]:
    rows = read_jsonl(directory / "metrics.jsonl")
    unique_ids(rows, "metrics.jsonl")
    metrics = {row["id"]: build_metric(row) for row in rows}
    if "other" not in metrics:
        raise PatternError("metrics.jsonl: the fallback metric 'other' is missing")
    return MappingProxyType(metrics)


LEXICON_KEYS = {"scales", "units", "unit_scales", "number_words", "ratio_words",
                "qualifiers", "change_before", "change_after", "amount_before", "ratio_after",
                "comparison_markers", "base_only_periods", "respectively", "attach_after",
                "component_verbs", "unit_default_metrics", "forecast_cues", "segment_nouns",
                "ratio_blockers", "vague_positions", "vague_bases",
                "range_blockers", "currencies"}
QUALIFIERS = {"approximately", "nearly", "more than", "less than", "up to"}


def segment_pattern(nouns: list) -> "re.Pattern":
    """"the Domestic segment", "Sears Canada segment": one to three capitalised words before a
    segment noun."""
    alternatives = "|".join(re.escape(noun) for noun in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"\b((?:[A-Z][\w&.'-]*\s+){{1,3}})(?i:{alternatives})\b")


def load_lexicon(directory: Path) -> Lexicon:
    data = read_json(directory / "lexicon.json")
    check_keys(data, LEXICON_KEYS, LEXICON_KEYS, "lexicon.json")
    bad = set(data["qualifiers"].values()) - QUALIFIERS
    if bad:
        raise PatternError(f"lexicon.json: unknown qualifiers {sorted(bad)}")
    try:
        units = {word: Unit(name) for word, name in data["units"].items()}
    except ValueError as error:
        raise PatternError(f"lexicon.json: {error}") from None

    def numbers(key: str) -> Mapping[str, Decimal]:
        return MappingProxyType({word: Decimal(str(value)) for word, value in data[key].items()})

    def phrases(key: str) -> tuple[str, ...]:
        return tuple(sorted(data[key], key=lambda phrase: (-len(phrase), phrase)))

    return Lexicon(
        scales=numbers("scales"), units=MappingProxyType(units), unit_scales=numbers("unit_scales"),
        number_words=numbers("number_words"), ratio_words=numbers("ratio_words"),
        qualifiers=MappingProxyType(dict(data["qualifiers"])),
        change_before=phrases("change_before"), change_after=phrases("change_after"),
        amount_before=phrases("amount_before"), ratio_after=phrases("ratio_after"),
        comparison_markers=phrases("comparison_markers"),
        base_only_periods=phrases("base_only_periods"),
        attach_after=frozenset(data["attach_after"]), component_verbs=frozenset(data["component_verbs"]),
        unit_default_metrics=MappingProxyType({Unit(unit): metric for unit, metric
                                               in data["unit_default_metrics"].items()}),
        forecast_cues=frozenset(data["forecast_cues"]), segment_pattern=segment_pattern(data["segment_nouns"]),
        ratio_blockers=frozenset(data["ratio_blockers"]),
        range_blockers=frozenset(data["range_blockers"]),
        currencies=MappingProxyType({symbol: Unit(code) for symbol, code in data["currencies"].items()}),
        vague_positions=MappingProxyType({word: (Decimal(low), Decimal(high)) for word, (low, high)
                                          in data["vague_positions"].items()}),
        vague_bases=numbers("vague_bases"),
        respectively=phrases("respectively"),
    )


FIGURE_KEYS = {"id", "label", "pattern", "example"}
FIGURE_LABELS = {"MONEY", "PER_SHARE", "PERCENT", "POINTS", "QUANTITY", "COUNT", "RATIO", "ZERO",
                 "MONEY_RANGE", "VAGUE_RANGE"}


def load_figure_patterns(directory: Path) -> tuple[dict, ...]:
    """spaCy span-ruler patterns for figures, each with an id (the rule named in claims)."""
    rows = read_jsonl(directory / "figures.jsonl")
    unique_ids(rows, "figures.jsonl")
    for row in rows:
        check_keys(row, FIGURE_KEYS, FIGURE_KEYS, f"figures.jsonl: {row.get('id')!r}")
        if row["label"] not in FIGURE_LABELS:
            raise PatternError(f"figures.jsonl: {row['id']!r}: unknown label {row['label']!r}")
    return tuple(rows)


@dataclass(frozen=True)
class Resources:
    """Everything the pipeline knows that is not code, validated once and passed explicitly."""

    directory: Path
    metrics: Mapping[str, Metric]
    lexicon: Lexicon
    figure_patterns: tuple[dict, ...]
    period_rules: tuple
    roles: Any


def check_metric_references(metrics: Mapping[str, Metric], lexicon: Lexicon) -> None:
    dangling = set(lexicon.unit_default_metrics.values()) - set(metrics)
    if dangling:
        raise PatternError(f"lexicon.json: unit_default_metrics names unknown metrics {sorted(dangling)}")


def load_resources(directory: Optional[Path] = None) -> Resources:
    """Read and validate every file of patterns/ (the packaged copy unless a folder is given)."""
    directory = Path(directory) if directory else patterns_dir()
    period_rows = read_jsonl(directory / "periods.jsonl")
    unique_ids(period_rows, "periods.jsonl")
    role_rows = read_jsonl(directory / "roles.jsonl")
    unique_ids(role_rows, "roles.jsonl")
    try:
        period_rules = compile_period_rules(period_rows)
        roles = compile_role_rules(role_rows, read_json(directory / "attribution.json"))
    except ValueError as error:
        raise PatternError(str(error)) from None
    metrics, lexicon = load_metrics(directory), load_lexicon(directory)
    check_metric_references(metrics, lexicon)
    return Resources(
        directory=directory, metrics=metrics, lexicon=lexicon,
        figure_patterns=load_figure_patterns(directory), period_rules=period_rules, roles=roles,
    )
