"""The reports of a run, written from its record dicts (the JSONL, or the store read back).

    claims.csv   one row per claim, stable columns, for a spreadsheet
    report.md    a summary over all releases, then each release's mismatches and restatements
    report.html  one self-contained page: problems first, metric timelines (inline SVG), then
                 each release's prose with every claim highlighted by its verdict

Everything works on plain dicts so a report can be rebuilt without re-running extraction;
figures are read as exact Decimals whatever JSON form they arrive in.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from .files import write_atomic
from .store import as_decimal, decimal_text

STATUSES = ("match", "mismatch", "unverifiable")
UNVERIFIABLE = "unverifiable"
RELEASE_PARTS = ("claim", "quote", "fact", "check")

# ---------------------------------------------------------------------------------------------
# Records grouped by release


@dataclass(frozen=True)
class ReleaseView:
    """One release's records; `restatements` are the lines this release printed differently."""

    doc: str
    header: Mapping[str, Any]
    claims: tuple[dict, ...] = ()
    quotes: tuple[dict, ...] = ()
    facts: tuple[dict, ...] = ()
    checks: tuple[dict, ...] = ()
    restatements: tuple[dict, ...] = ()

    @property
    def issuer(self) -> str:
        issuer = self.header.get("issuer")
        if isinstance(issuer, dict):
            name, ticker = issuer.get("name"), issuer.get("ticker")
            return f"{name} ({ticker})" if name and ticker else str(name or ticker or "")
        return str(issuer or "")

    @property
    def issuer_key(self) -> str:
        issuer = self.header.get("issuer")
        if isinstance(issuer, dict):
            return str(issuer.get("ticker") or issuer.get("name") or self.doc).upper()
        return str(issuer or self.doc).upper()

    @property
    def date(self) -> str:
        return str(self.header.get("date") or "")

    @property
    def failed_checks(self) -> tuple[dict, ...]:
        return tuple(check for check in self.checks if not check.get("ok", True))


@dataclass(frozen=True)
class RunView:
    releases: tuple[ReleaseView, ...]
    restatements: tuple[dict, ...]
    corroborations: tuple[dict, ...]
    errors: tuple[dict, ...]


@dataclass
class _Draft:
    doc: str
    header: dict
    parts: dict = field(default_factory=lambda: {part: [] for part in RELEASE_PARTS})


def collect(records: Iterable[dict]) -> RunView:
    """Group records by release in the order they come; a record whose doc has no header
    starts a release of its own (a doc name reused by two issuers follows its latest header)."""
    drafts: list[_Draft] = []
    latest: dict[str, _Draft] = {}
    extra: dict[str, list] = {"restatement": [], "corroboration": [], "error": []}
    for record in records:
        kind = record.get("type") if isinstance(record, dict) else None
        if kind == "release" or (kind in RELEASE_PARTS and str(record.get("doc")) not in latest):
            draft = _Draft(str(record.get("doc")), record if kind == "release" else {})
            drafts.append(draft)
            latest[draft.doc] = draft
        if kind in RELEASE_PARTS:
            latest[str(record.get("doc"))].parts[kind].append(record)
        elif kind in extra:
            extra[kind].append(record)
    releases = tuple(ReleaseView(
        draft.doc, draft.header, *(tuple(draft.parts[part]) for part in RELEASE_PARTS),
        restatements=tuple(item for item in extra["restatement"]
                           if str(item.get("later_doc")) == draft.doc and latest[draft.doc] is draft))
        for draft in drafts)
    return RunView(releases, tuple(extra["restatement"]), tuple(extra["corroboration"]),
                   tuple(extra["error"]))


@dataclass(frozen=True)
class Summary:
    claims: int
    matched: int
    mismatched: int
    unverifiable: int
    restatements: int
    check_failures: int

    @classmethod
    def of(cls, releases: Sequence[ReleaseView]) -> "Summary":
        statuses = [claim.get("status") or UNVERIFIABLE for view in releases for claim in view.claims]
        return cls(len(statuses), statuses.count("match"), statuses.count("mismatch"),
                   statuses.count(UNVERIFIABLE), sum(len(view.restatements) for view in releases),
                   sum(len(view.failed_checks) for view in releases))

    def sentence(self) -> str:
        return (f"{counted(self.claims, 'claim')}: {self.matched} matched, {self.mismatched} "
                f"mismatched, {self.unverifiable} unverifiable; "
                f"{counted(self.restatements, 'restatement')}; "
                f"{counted(self.check_failures, 'integrity-check failure')}.")

    def cells(self) -> list[str]:
        return [str(value) for value in (self.claims, self.matched, self.mismatched,
                                         self.unverifiable, self.restatements, self.check_failures)]


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


SUMMARY_HEADINGS = ["Release", "Issuer", "Date", "Claims", "Match", "Mismatch", "Unverifiable",
                    "Restatements", "Check failures"]


def is_problem(claim: dict) -> bool:
    """A claim a reader must look at: contradicted by the tables, or restated later."""
    return claim.get("status") == "mismatch" or claim.get("restated_value") is not None


# ---------------------------------------------------------------------------------------------
# Figures and periods as text


def format_figure(value: Any, unit: Optional[str], signed: bool = False) -> str:
    """"$12,400,000", "13%", "215 units", "0.6667": exact, grouped, the unit where it reads."""
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    sign = "-" if number < 0 else ("+" if signed and number > 0 else "")
    digits = format(abs(number), ",f")
    if unit in ("USD", "USD/share"):
        return f"{sign}${digits}" + ("/share" if unit == "USD/share" else "")
    if unit == "percent":
        return f"{sign}{digits}%"
    if unit in (None, "", "ratio"):
        return sign + digits
    return f"{sign}{digits} {unit}"


def compact_figure(value: Decimal, unit: Optional[str]) -> str:
    """A chart label: "$61.5M", "215 units"."""
    for size, suffix in ((Decimal("1e9"), "B"), (Decimal("1e6"), "M"), (Decimal("1e3"), "K")):
        if abs(value) >= size:
            short = format((value / size).quantize(Decimal("0.1")).normalize(), ",f") + suffix
            if unit == "USD":
                return f"${short}"
            return short if unit in (None, "", "ratio") else f"{short} {unit}"
    return format_figure(value, unit)


def difference(claim: dict) -> Optional[Decimal]:
    """Stated minus table: the record's delta, else computed from the two figures."""
    delta = as_decimal(claim.get("delta"))
    if delta is not None:
        return delta
    value, table = as_decimal(claim.get("value")), as_decimal(claim.get("table_value"))
    return value - table if value is not None and table is not None else None


def stated(claim: dict) -> str:
    text = format_figure(claim.get("value"), claim.get("unit"))
    if claim.get("value_high") is not None:
        text += " to " + format_figure(claim.get("value_high"), claim.get("unit"))
    return f"{claim['qualifier']} {text}" if claim.get("qualifier") else text


def period_text(period: Any) -> str:
    if not isinstance(period, dict):
        return ""
    if period.get("instant"):
        return f"at {period['instant']}"
    return f"{period.get('start') or '?'} to {period.get('end') or '?'}"


def claim_period_text(claim: dict) -> str:
    text = period_text(claim.get("period"))
    base = period_text(claim.get("base_period"))
    return f"{text} vs {base}" if base else text


def restatement_change(item: dict) -> str:
    first, later = as_decimal(item.get("first_value")), as_decimal(item.get("later_value"))
    if first is None or later is None:
        return ""
    return format_figure(later - first, None, signed=True)


def metric_name(claim: dict) -> str:
    """"Cash and equivalents" for cash_and_equivalents: the metric, worded the same everywhere."""
    return one_line(str(claim.get("metric") or claim.get("label") or "").replace("_", " ")).capitalize()


def stated_by(corroboration: dict) -> str:
    """"$12,400,000 (a.txt), $12,500,000 (b.txt)": each release's figure of a corroboration."""
    return ", ".join(f"{format_figure(claim.get('value'), corroboration.get('unit'))} "
                     f"({claim.get('doc')})" for claim in corroboration.get("claims") or ()
                     if isinstance(claim, dict))


def one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


# ---------------------------------------------------------------------------------------------
# CSV

CSV_COLUMNS = ("doc", "start", "end", "text", "metric", "label", "kind", "value", "value_high",
               "unit", "qualifier", "period_start", "period_end", "period_instant", "base_start",
               "base_end", "base_instant", "segment", "speaker_name", "speaker_role", "status",
               "table_value", "delta", "restated_value", "evidence_formula", "sentence", "rule")
DECIMAL_KEYS = frozenset({"value", "value_high", "table_value", "delta", "restated_value"})


def csv_row(claim: dict) -> dict:
    row = {key: (decimal_text(claim.get(key)) if key in DECIMAL_KEYS else claim.get(key))
           for key in CSV_COLUMNS if key in claim}
    for prefix, key in (("period", "period"), ("base", "base_period")):
        period = claim.get(key) if isinstance(claim.get(key), dict) else {}
        for part in ("start", "end", "instant"):
            row[f"{prefix}_{part}"] = period.get(part)
    speaker = claim.get("speaker") if isinstance(claim.get("speaker"), dict) else {}
    row["speaker_name"], row["speaker_role"] = speaker.get("name"), speaker.get("role")
    evidence = claim.get("evidence") if isinstance(claim.get("evidence"), dict) else {}
    row["evidence_formula"] = evidence.get("formula")
    return row


def render_csv(records: Iterable[dict]) -> str:
    """Claims only, one row each, columns in CSV_COLUMNS order (UTF-8, no BOM, CRLF rows)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        if isinstance(record, dict) and record.get("type") == "claim":
            writer.writerow(csv_row(record))
    return buffer.getvalue()


def write_csv(records: Iterable[dict], path: Union[str, Path]) -> None:
    write_atomic(Path(path), render_csv(records))


# ---------------------------------------------------------------------------------------------
# Markdown


def md_cell(value: Any) -> str:
    return one_line(value).replace("\\", "\\\\").replace("|", "\\|")


def md_table(headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(md_cell(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def summary_rows(run: RunView) -> list[list[str]]:
    return [[view.doc, view.issuer, view.date] + Summary.of([view]).cells() for view in run.releases]


def claim_problem_row(claim: dict) -> list[str]:
    restated = claim.get("restated_value")
    return [claim.get("status") or UNVERIFIABLE, metric_name(claim),
            claim_period_text(claim), stated(claim),
            format_figure(claim.get("table_value"), claim.get("unit")),
            format_figure(difference(claim), claim.get("unit"), signed=True),
            format_figure(restated, claim.get("unit")) if restated is not None else "",
            claim.get("sentence")]


def restatement_row(item: dict) -> list[str]:
    return [item.get("line"), period_text(item.get("period")),
            f"{format_figure(item.get('first_value'), None)} ({item.get('first_doc')})",
            f"{format_figure(item.get('later_value'), None)} ({item.get('later_doc')})",
            restatement_change(item)]


def check_row(check: dict) -> list[str]:
    return [check.get("check"), check.get("statement"), period_text(check.get("period")),
            format_figure(check.get("expected"), None), format_figure(check.get("actual"), None)]


CLAIM_PROBLEM_HEADINGS = ["Status", "Metric", "Period", "Stated", "Table", "Difference",
                          "Restated later", "Sentence"]
RESTATEMENT_HEADINGS = ["Line", "Period", "First printed", "Printed later", "Change"]
CHECK_HEADINGS = ["Check", "Statement", "Period", "Expected", "Actual"]


def release_markdown(view: ReleaseView) -> list[str]:
    title = " — ".join(part for part in (view.doc, view.issuer, view.date) if part)
    lines = [f"## {md_cell(title)}", "", Summary.of([view]).sentence(), ""]
    sections = (("Mismatched or later restated claims", CLAIM_PROBLEM_HEADINGS,
                 [claim_problem_row(claim) for claim in view.claims if is_problem(claim)]),
                ("Restatements", RESTATEMENT_HEADINGS,
                 [restatement_row(item) for item in view.restatements]),
                ("Integrity-check failures", CHECK_HEADINGS,
                 [check_row(item) for item in view.failed_checks]))
    for heading, headings, rows in sections:
        if rows:
            lines += [f"### {heading}", ""] + md_table(headings, rows)
    return lines


def render_markdown(records: Iterable[dict]) -> str:
    """A summary table over all releases, then what needs a reader's eye in each."""
    run = collect(records)
    lines = ["# Claim check report", "", counted(len(run.releases), "release") + "; "
             + Summary.of(run.releases).sentence(), ""]
    lines += md_table(SUMMARY_HEADINGS, summary_rows(run))
    for view in run.releases:
        lines += release_markdown(view)
    disagreements = [item for item in run.corroborations if item.get("agree") is False]
    if disagreements:
        lines += ["## Figures the releases state differently", ""] + md_table(
            ["Metric", "Period", "Stated"], ([metric_name(item), period_text(item.get("period")),
                                             stated_by(item)] for item in disagreements))
    if run.errors:
        lines += ["## Errors", ""] + md_table(["Path", "Stage", "Message"], (
            [error.get("path"), error.get("stage"), error.get("message")] for error in run.errors))
    return "\n".join(lines).rstrip("\n") + "\n"


def write_markdown(records: Iterable[dict], path: Union[str, Path]) -> None:
    write_atomic(Path(path), render_markdown(records))


# ---------------------------------------------------------------------------------------------
# HTML: one self-contained page

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]+\S)")
STATUS_HELP = {"match": "the tables confirm it", "mismatch": "the tables contradict it",
               "unverifiable": "no table figure covers it"}

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;
 max-width:64rem;margin:0 auto;padding:1.5rem 1.25rem 4rem;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.25rem;margin:2.2rem 0 .5rem;
 border-bottom:1px solid #d8dee4;padding-bottom:.25rem}h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d8dee4;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.lede{font-size:1.05rem}.legend span{margin-right:1rem}
.claim{color:inherit;text-decoration:none;border-radius:3px;padding:0 2px}
.claim.match{background:#d3f3da;border-bottom:2px solid #1a7f37}
.claim.mismatch{background:#ffd7d5;border-bottom:2px solid #cf222e;font-weight:600}
.claim.unverifiable{background:#eaeef2;border-bottom:2px dotted #6e7781}
.claim:hover,.claim:focus{outline:2px solid #0969da}
.badge{display:inline-block;font-size:.75rem;font-weight:600;border-radius:1em;padding:0 .55em;
 margin-right:.3em;color:#fff;background:#6e7781}
.badge.match{background:#1a7f37}.badge.mismatch{background:#cf222e}
.badge.restated,.badge.restatement{background:#9a6700}.badge.check{background:#8250df}
.badge.disagree{background:#bc4c00}
.problems li{margin:.35rem 0}.problems q{color:#57606a;quotes:none;font-style:italic}
.prose{max-width:46rem}.prose p{margin:.6rem 0}.prose .sentence{margin:.5rem 0}
.notes li{margin:.6rem 0}.notes li:target{background:#fff8c5}
.notes code{font-size:.85rem;background:#f3f5f7;padding:0 .25em}
.notes table{font-size:.8rem;margin:.25rem 0}
details{margin:.6rem 0}summary{cursor:pointer;color:#0969da}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
figure.chart{margin:0;border:1px solid #d8dee4;border-radius:6px;padding:.4rem}
figure.chart figcaption{font-size:.85rem;font-weight:600}
svg text{font:10px system-ui,sans-serif;fill:#57606a}
"""

OPEN_TARGET_JS = """
function openTarget(){var id=decodeURIComponent(location.hash.slice(1));
 var t=id&&document.getElementById(id);if(!t)return;var d=t.closest('details');
 if(d&&!d.open){d.open=true;t.scrollIntoView();}}
window.addEventListener('hashchange',openTarget);openTarget();
"""


def esc(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def claim_id(release_index: int, claim_index: int) -> str:
    return f"claim-{release_index}-{claim_index}"


def note_id(release_index: int, claim_index: int) -> str:
    return f"note-{release_index}-{claim_index}"


def operand_text(operand: dict) -> str:
    parts = (operand.get("statement"), operand.get("label") or operand.get("line"),
             operand.get("column") or period_text(operand.get("period")),
             f"line {operand['line_no']}" if operand.get("line_no") is not None else None,
             operand.get("doc"))
    return " · ".join(str(part) for part in parts if part)


def evidence_of(claim: dict) -> dict:
    evidence = claim.get("evidence")
    return evidence if isinstance(evidence, dict) else {}


def verdict_text(claim: dict) -> str:
    """Stated, table figure and difference in one line."""
    parts = [f"stated {stated(claim)}"]
    if claim.get("table_value") is not None:
        parts.append(f"table {format_figure(claim.get('table_value'), claim.get('unit'))}")
        parts.append(f"difference {format_figure(difference(claim), claim.get('unit'), signed=True)}")
    if claim.get("restated_value") is not None:
        parts.append(f"restated later {format_figure(claim['restated_value'], claim.get('unit'))}")
    return "; ".join(parts)


def claim_title(claim: dict) -> str:
    """The hover text: verdict, figures, formula and where each table figure was printed."""
    status = claim.get("status") or UNVERIFIABLE
    lines = [f"{status}: {STATUS_HELP.get(status, status)}", verdict_text(claim)]
    evidence = evidence_of(claim)
    if evidence.get("formula"):
        across = " (across releases)" if evidence.get("cross_release") else ""
        lines.append(evidence["formula"] + across)
    lines += [operand_text(item) for item in evidence.get("operands") or () if isinstance(item, dict)]
    return "\n".join(lines)


def claim_anchor(claim: dict, ref: tuple[int, int], text: str, first: bool = True) -> str:
    status = claim.get("status") or UNVERIFIABLE
    ident = f' id="{claim_id(*ref)}"' if first else ""
    return (f'<a class="claim {esc(status)}"{ident} href="#{note_id(*ref)}" '
            f'title="{esc(claim_title(claim))}">{esc(text)}</a>')


def highlight(text: str, offset: int, spans: Sequence[tuple[int, int, dict, tuple, bool]]) -> str:
    """`text` (which starts at `offset`) escaped, each span wrapped in its claim's anchor."""
    out, cursor = [], 0
    for start, end, claim, ref, first in spans:
        out.append(esc(text[cursor:start - offset]))
        out.append(claim_anchor(claim, ref, text[start - offset:end - offset], first))
        cursor = end - offset
    out.append(esc(text[cursor:]))
    return "".join(out)


def offsets_fit(text: str, item: dict) -> bool:
    start, end = item.get("start"), item.get("end")
    return (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
            and text[start:end] == item.get("text"))


def inline_claims(claims: Sequence[dict]) -> list[tuple[int, dict]]:
    """(index, claim) of the claims to highlight in place, overlaps dropped, by offset."""
    kept, last_end = [], -1
    for index, claim in sorted(enumerate(claims), key=lambda pair: (pair[1]["start"], -pair[1]["end"])):
        if claim["start"] >= last_end:
            kept.append((index, claim))
            last_end = claim["end"]
    return kept


def prose_window(text: str, view: ReleaseView) -> tuple[int, int]:
    """From the paragraph of the first claim or quote to that of the last, stopping at the
    first table figure: the narrative part of the release."""
    spans = [(item["start"], item["end"]) for item in view.claims + view.quotes
             if offsets_fit(text, item)]
    first, last = min(start for start, _ in spans), max(end for _, end in spans)
    breaks_before = list(PARAGRAPH_BREAK.finditer(text, 0, first))
    start = breaks_before[-1].end() if breaks_before else 0
    after = PARAGRAPH_BREAK.search(text, last)
    end = after.start() if after else len(text)
    table_starts = [fact["start"] for fact in view.facts
                    if isinstance(fact.get("start"), int) and fact["start"] >= last]
    return start, min([end] + table_starts)


def paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, cursor = [], start
    for match in PARAGRAPH_BREAK.finditer(text, start, end):
        out.append((cursor, match.start()))
        cursor = match.end()
    return out + [(cursor, end)]


def prose_html(text: str, view: ReleaseView, release_index: int) -> str:
    """The release's narrative as paragraphs, claims highlighted at their offsets."""
    start, end = prose_window(text, view)
    placed = inline_claims(view.claims)
    out = []
    for para_start, para_end in paragraphs(text, start, end):
        spans = [(max(claim["start"], para_start), min(claim["end"], para_end), claim,
                  (release_index, index), claim["start"] >= para_start)
                 for index, claim in placed
                 if claim["start"] < para_end and claim["end"] > para_start]
        if text[para_start:para_end].strip():
            out.append(f"<p>{highlight(text[para_start:para_end], para_start, spans)}</p>")
    return "\n".join(out)


def loose_pattern(text: str) -> re.Pattern:
    """The claim's words with any run of whitespace between them (sentences are re-spaced)."""
    return re.compile(r"\s+".join(re.escape(word) for word in str(text).split()) or re.escape(text))


def sentences_html(view: ReleaseView, release_index: int) -> str:
    """Without the release text: each claim's sentence, its claims highlighted within it."""
    groups: dict[str, list[tuple[int, dict]]] = {}
    for index, claim in enumerate(view.claims):
        groups.setdefault(one_line(claim.get("sentence")), []).append((index, claim))
    out = []
    for sentence, members in groups.items():
        spans, missing, cursor = [], [], 0
        for index, claim in members:
            found = loose_pattern(claim.get("text") or "").search(sentence, cursor)
            if found and found.end() > found.start():
                spans.append((found.start(), found.end(), claim, (release_index, index), True))
                cursor = found.end()
            else:
                missing.append(claim_anchor(claim, (release_index, index), claim.get("text") or "?"))
        tail = (" — " + ", ".join(missing)) if missing else ""
        out.append(f'<p class="sentence">{highlight(sentence, 0, spans)}{tail}</p>')
    return "\n".join(out)


def operands_table(operands: Sequence[dict]) -> str:
    rows = "".join(
        f"<tr><td>{esc(item.get('doc'))}</td><td>{esc(item.get('statement'))}</td>"
        f"<td>{esc(item.get('label') or item.get('line'))}</td><td>{esc(item.get('column'))}</td>"
        f"<td class=num>{esc(format_figure(item.get('value'), None))}</td>"
        f"<td class=num>{esc(item.get('line_no'))}</td></tr>"
        for item in operands if isinstance(item, dict))
    return ("<table><tr><th>Release</th><th>Statement</th><th>Line</th><th>Column</th>"
            f"<th>Value</th><th>Line no.</th></tr>{rows}</table>") if rows else ""


def note_html(claim: dict, ref: tuple[int, int], placed: bool) -> str:
    """One claim's provenance: what was stated, what the tables say, and where."""
    status = claim.get("status") or UNVERIFIABLE
    speaker = claim.get("speaker") if isinstance(claim.get("speaker"), dict) else {}
    about = [metric_name(claim), claim.get("kind"), claim_period_text(claim),
             claim.get("segment"), ", ".join(filter(None, (speaker.get("name"), speaker.get("role"))))]
    evidence = evidence_of(claim)
    formula = (f"<div><code>{esc(evidence['formula'])}</code>"
               + (" across releases" if evidence.get("cross_release") else "") + "</div>"
               if evidence.get("formula") else "")
    back = (f'<a href="#{claim_id(*ref)}">{esc(claim.get("text"))}</a>' if placed
            else f'{esc(claim.get("text"))} (overlaps another highlighted claim)')
    return (f'<li id="{note_id(*ref)}"><span class="badge {esc(status)}">{esc(status)}</span>'
            f'{back} — {esc(" · ".join(str(part) for part in about if part))}'
            f"<div>{esc(verdict_text(claim))}</div>{formula}"
            f"{operands_table(evidence.get('operands') or ())}</li>")


def notes_html(view: ReleaseView, release_index: int, placed: set) -> str:
    items = "\n".join(note_html(claim, (release_index, index), index in placed)
                      for index, claim in enumerate(view.claims))
    return (f'<details class="notes"><summary>Where each figure comes from '
            f"({len(view.claims)} claims)</summary><ol>\n{items}\n</ol></details>")


def html_table(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of already escaped cells."""
    head = "".join(f"<th>{esc(heading)}</th>" for heading in headings)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def release_html(view: ReleaseView, index: int, texts: Mapping[str, str]) -> str:
    text = texts.get(view.doc)
    in_text = bool(view.claims) and text is not None and all(
        offsets_fit(text, claim) for claim in view.claims)
    body = (prose_html(text, view, index) if in_text else sentences_html(view, index)) \
        if view.claims else "<p>No claims were found in this release.</p>"
    placed = {i for i, _ in inline_claims(view.claims)} if in_text else set(range(len(view.claims)))
    title = " — ".join(part for part in (view.doc, view.issuer, view.date) if part)
    parts = [f'<section class="release" id="release-{index}"><h2>{esc(title)}</h2>',
             f"<p>{esc(Summary.of([view]).sentence())}</p>", f'<div class="prose">{body}</div>']
    if view.claims:
        parts.append(notes_html(view, index, placed))
    if view.restatements:
        parts += ["<h3>Restatements</h3>", html_table(
            RESTATEMENT_HEADINGS, ([esc(cell) for cell in restatement_row(item)]
                                   for item in view.restatements))]
    if view.failed_checks:
        parts += ["<h3>Integrity-check failures</h3>", html_table(
            CHECK_HEADINGS, ([esc(cell) for cell in check_row(item)] for item in view.failed_checks))]
    return "\n".join(parts + ["</section>"])


def release_link(index: Optional[int], text: str) -> str:
    return f'<a href="#release-{index}">{esc(text)}</a>' if index is not None else esc(text)


def claim_problem_item(claim: dict, ref: tuple[int, int], doc: str) -> str:
    badge, label = (("mismatch", "mismatch") if claim.get("status") == "mismatch"
                    else ("restated", "restated later"))
    return (f'<li><span class="badge {badge}">{label}</span>'
            f'<a href="#{claim_id(*ref)}">{esc(doc)}</a>: {esc(metric_name(claim))}, '
            f"{esc(claim_period_text(claim))} — {esc(verdict_text(claim))}. "
            f"<q>{esc(one_line(claim.get('sentence')))}</q></li>")


def check_problem_item(check: dict, index: int, doc: str) -> str:
    name, statement, period, expected, actual = check_row(check)
    where = " · ".join(str(part) for part in (name, statement, period) if part)
    return (f'<li><span class="badge check">check failed</span>{release_link(index, doc)}: '
            f"{esc(where)} — expected {esc(expected)}, found {esc(actual)}</li>")


def restatement_item(item: dict, index: Optional[int]) -> str:
    line, period, first, later, change = restatement_row(item)
    return (f'<li><span class="badge restatement">restatement</span>{release_link(index, line)}, '
            f"{esc(period)}: {esc(first)}, later {esc(later)} ({esc(change)})</li>")


def disagreement_item(item: dict) -> str:
    """Releases stating one metric for one period with figures no rounding reconciles."""
    return (f'<li><span class="badge disagree">releases disagree</span>{esc(metric_name(item))}, '
            f"{esc(period_text(item.get('period')))}: {esc(stated_by(item))}</li>")


def problem_items(run: RunView) -> list[str]:
    """The list at the top: contradicted or restated claims, failed checks, restated table
    figures, and releases that disagree with each other."""
    latest = {view.doc: index for index, view in enumerate(run.releases)}
    items = []
    for index, view in enumerate(run.releases):
        items += [claim_problem_item(claim, (index, claim_index), view.doc)
                  for claim_index, claim in enumerate(view.claims) if is_problem(claim)]
        items += [check_problem_item(check, index, view.doc) for check in view.failed_checks]
    items += [restatement_item(item, latest.get(str(item.get("later_doc"))))
              for item in run.restatements]
    items += [disagreement_item(item) for item in run.corroborations if item.get("agree") is False]
    return items


def summary_html(run: RunView) -> str:
    rows = [[f'<a href="#release-{index}">{esc(row[0])}</a>'] + [esc(cell) for cell in row[1:]]
            for index, row in enumerate(summary_rows(run))]
    return html_table(SUMMARY_HEADINGS, rows)


# ---------------------------------------------------------------------------------------------
# Timelines: inline SVG line charts of what the prose states over time


@dataclass(frozen=True)
class Series:
    issuer: str
    title: str
    unit: Optional[str]
    points: tuple[tuple[dt.date, Decimal, str], ...]  # (period end, value, doc)


def claim_date(period: Any) -> Optional[dt.date]:
    if not isinstance(period, dict):
        return None
    try:
        return dt.date.fromisoformat(period.get("instant") or period.get("end") or "")
    except ValueError:
        return None


def span_label(period: dict) -> str:
    """"levels" for balances, "3-month periods" for flows: points of one chart are alike."""
    if period.get("instant"):
        return "levels"
    try:
        days = (dt.date.fromisoformat(period["end"]) - dt.date.fromisoformat(period["start"])).days + 1
    except (KeyError, TypeError, ValueError):
        return "periods"
    months = round(days / 30.4375)
    return f"{months}-month periods" if months >= 1 else f"{days}-day periods"


def timeline_series(run: RunView) -> list[Series]:
    """Per issuer, each stated amount (metric, unit, kind of period) with two or more dates;
    where releases state one date twice, the latest release's figure is drawn."""
    found: dict[tuple, dict[dt.date, tuple[Decimal, str]]] = {}
    for view in run.releases:
        for claim in view.claims:
            day, value = claim_date(claim.get("period")), as_decimal(claim.get("value"))
            if claim.get("kind") != "amount" or claim.get("segment") or day is None or value is None:
                continue
            label = metric_name(claim)
            key = (view.issuer or view.issuer_key, label, claim.get("unit"),
                   span_label(claim["period"]))
            found.setdefault(key, {})[day] = (value, view.doc)
    return [Series(issuer, f"{label} ({unit}, {span})", unit,
                   tuple((day, value, doc) for day, (value, doc) in sorted(points.items())))
            for (issuer, label, unit, span), points in sorted(found.items(), key=lambda kv: (
                kv[0][0], kv[0][1], str(kv[0][2]), kv[0][3])) if len(points) >= 2]


CHART_WIDTH, CHART_HEIGHT = 340, 180
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 64, 324, 16, 148


def spaced(positions: Sequence[float], gap: float = 80.0) -> list[int]:
    """Indexes of the date labels to print so none overlaps: the first, the last, and those
    between that keep `gap` pixels from their neighbours."""
    kept = [0]
    for index in range(1, len(positions)):
        if positions[index] - positions[kept[-1]] >= gap:
            kept.append(index)
    kept[-1] = len(positions) - 1  # the last date sits a plot width from the first
    return kept


def chart_svg(series: Series) -> str:
    """A line chart, no library: x the period end date, y the stated value, labelled axes.

    Pixel positions are floats; the figures printed on the chart are the exact Decimals."""
    days = [point[0].toordinal() for point in series.points]
    values = [point[1] for point in series.points]
    low, high = min(min(values), Decimal(0)), max(max(values), Decimal(0))
    high = high if high > low else low + 1
    def x(day: int) -> float:
        return PLOT_LEFT + (day - days[0]) / max(days[-1] - days[0], 1) * (PLOT_RIGHT - PLOT_LEFT)
    def y(value: Decimal) -> float:
        return PLOT_BOTTOM - float((value - low) / (high - low)) * (PLOT_BOTTOM - PLOT_TOP)
    ticks = "".join(
        f'<line x1="{PLOT_LEFT - 4}" y1="{y(tick):.1f}" x2="{PLOT_RIGHT}" y2="{y(tick):.1f}" '
        f'stroke="#eaeef2"/><text x="{PLOT_LEFT - 6}" y="{y(tick) + 3:.1f}" text-anchor="end">'
        f"{esc(compact_figure(tick, series.unit))}</text>"
        for tick in (low, (low + high) / 2, high))
    shown = spaced([x(day) for day in days])
    anchors = ["start"] + ["middle"] * (len(shown) - 2) + ["end"]
    x_labels = "".join(f'<text x="{x(days[index]):.1f}" y="{PLOT_BOTTOM + 16}" '
                       f'text-anchor="{anchor}">{series.points[index][0].isoformat()}</text>'
                       for index, anchor in zip(shown, anchors))
    line = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in zip(days, values))
    dots = "".join(
        f'<circle cx="{x(day.toordinal()):.1f}" cy="{y(value):.1f}" r="3.5" fill="#0969da">'
        f"<title>{esc(day.isoformat())}: {esc(format_figure(value, series.unit))} ({esc(doc)})"
        "</title></circle>" for day, value, doc in series.points)
    return (f'<figure class="chart"><figcaption>{esc(series.title)}</figcaption>'
            f'<svg viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="{CHART_WIDTH}" '
            f'height="{CHART_HEIGHT}" role="img" aria-label="{esc(series.title)}">{ticks}'
            f'<line x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{PLOT_BOTTOM}" '
            f'stroke="#57606a"/><line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" '
            f'y2="{PLOT_BOTTOM}" stroke="#57606a"/>{x_labels}'
            f'<polyline points="{line}" fill="none" stroke="#0969da" stroke-width="2"/>{dots}'
            "</svg></figure>")


def timelines_html(run: RunView) -> str:
    by_issuer: dict[str, list[Series]] = {}
    for series in timeline_series(run):
        by_issuer.setdefault(series.issuer, []).append(series)
    if not by_issuer:
        return ""
    parts = ['<section id="timelines"><h2>What the prose states over time</h2>']
    for issuer, charts in by_issuer.items():
        parts.append(f"<h3>{esc(issuer)}</h3><div class=\"charts\">"
                     + "".join(chart_svg(series) for series in charts) + "</div>")
    return "\n".join(parts + ["</section>"])


def render_html(records: Iterable[dict], texts: Optional[Mapping[str, str]] = None) -> str:
    """The page: summary, problems, timelines, then each release's highlighted prose.

    `texts` maps doc name to the release text the offsets point into (Release.clean reads best);
    without it each claim is shown in its sentence."""
    run = collect(records)
    problems = problem_items(run)
    legend = "".join(f'<span><a class="claim {status}">{status}</a> {STATUS_HELP[status]}</span>'
                     for status in STATUSES)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>Claim check report</title><style>{CSS}</style></head><body>",
             "<h1>Claim check report</h1>",
             f'<p class="lede">{counted(len(run.releases), "release")}; '
             f"{esc(Summary.of(run.releases).sentence())}</p>",
             '<section id="problems"><h2>Mismatches and restatements</h2>',
             ('<ul class="problems">\n' + "\n".join(problems) + "\n</ul>") if problems
             else "<p>No mismatches, restatements or failed checks.</p>", "</section>",
             "<h2>Releases</h2>", summary_html(run), f'<p class="legend">{legend}</p>',
             timelines_html(run)]
    parts += [release_html(view, index, texts or {}) for index, view in enumerate(run.releases)]
    if run.errors:
        parts += ['<section id="errors"><h2>Errors</h2>', html_table(
            ["Path", "Stage", "Message"], ([esc(error.get(key)) for key in ("path", "stage", "message")]
                                          for error in run.errors)), "</section>"]
    parts.append(f"<script>{OPEN_TARGET_JS}</script></body></html>")
    return "\n".join(part for part in parts if part) + "\n"


def write_html(records: Iterable[dict], path: Union[str, Path],
               texts: Optional[Mapping[str, str]] = None) -> None:
    write_atomic(Path(path), render_html(records, texts))


# ---------------------------------------------------------------------------------------------
# Atomic writes


def write_reports(records: Iterable[dict], out_dir: Union[str, Path],
                  texts: Optional[Mapping[str, str]] = None) -> None:
    """report.md, report.html and claims.csv of one run, each written atomically."""
    records = list(records)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "report.md", render_markdown(records))
    write_atomic(folder / "report.html", render_html(records, texts))
    write_atomic(folder / "claims.csv", render_csv(records))

