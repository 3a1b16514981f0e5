"""The reports: Markdown counts, CSV rows, a self-contained HTML page, and how a browser shows it."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from extractor import report

FIXTURES = Path(__file__).parent / "fixtures" / "report"
Q2, Q3 = "hmgi-2024-08-01.txt", "hmgi-2024-11-05.txt"


def run_records() -> list[dict]:
    with open(FIXTURES / "run.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def release_texts() -> dict[str, str]:
    return {doc: (FIXTURES / doc).read_text(encoding="utf-8") for doc in (Q2, Q3)}


def claims_of(records: list[dict]) -> list[dict]:
    return [record for record in records if record["type"] == "claim"]


class Anchors(HTMLParser):
    """The highlighted claims of a page: (class, id, title, text) of each `a.claim`."""

    def __init__(self):
        super().__init__()
        self.found: list[list[str]] = []
        self.open = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("class") or "").startswith("claim ") and attrs.get("href"):
            self.found.append([attrs["class"], attrs.get("id") or "", attrs.get("title") or "", ""])
            self.open = True

    def handle_endtag(self, tag):
        self.open = self.open and tag != "a"

    def handle_data(self, data):
        if self.open:
            self.found[-1][3] += data


def highlighted(page: str) -> list[list[str]]:
    parser = Anchors()
    parser.feed(page)
    return [anchor for anchor in parser.found if anchor[1]]  # the legend's samples have no id


def test_fixture_is_what_the_models_write_today():
    spec = importlib.util.spec_from_file_location("make_run", FIXTURES / "make_run.py")
    make_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_run)
    assert make_run.build_records() == run_records(), "re-run fixtures/report/make_run.py"
    texts = release_texts()
    for record in run_records():
        if record["type"] in ("claim", "quote"):
            assert texts[record["doc"]][record["start"]:record["end"]] == record["text"]


def test_markdown_summary_counts_each_release():
    page = report.render_markdown(run_records())
    rows = [line for line in page.splitlines() if line.startswith("| hmgi-")]
    assert rows == [
        f"| {Q2} | Harbor Microgrid, Inc. (HMGI) | 2024-08-01 | 8 | 5 | 0 | 3 | 0 | 0 |",
        f"| {Q3} | Harbor Microgrid, Inc. (HMGI) | 2024-11-05 | 7 | 3 | 2 | 2 | 1 | 1 |",
    ]
    assert "2 releases; 15 claims: 8 matched, 2 mismatched, 5 unverifiable; 1 restatement; " \
           "1 integrity-check failure." in page


def test_markdown_lists_mismatch_restatement_and_failed_check_with_figures():
    page = report.render_markdown(run_records())
    q3 = page[page.index(f"## {Q3}"):]
    assert ("| mismatch | Revenue | 2024-07-01 to 2024-09-30 | $14,000,000 | $13,702,000 | "
            "+$298,000 |  | Revenue for the third quarter was $14.0 million") in q3
    assert ("| total current liabilities | at 2023-12-31 | 18,204,000 (hmgi-2024-08-01.txt) | "
            "18,420,000 (hmgi-2024-11-05.txt) | +216,000 |") in q3
    assert ("| cash_roll_forward | cash_flows | 2024-07-01 to 2024-09-30 | -3,628,000 | "
            "-3,728,000 |") in q3
    q2 = page[page.index(f"## {Q2}"):page.index(f"## {Q3}")]
    assert "| match | Total current liabilities | at 2023-12-31 | $18,200,000 | $18,204,000 | " \
           "-$4,000 | $18,420,000 |" in q2
    assert "| Revenue | 2024-04-01 to 2024-06-30 | $12,400,000 (hmgi-2024-08-01.txt), " \
           "$12,500,000 (hmgi-2024-11-05.txt) |" in page
    assert "| releases/hmgi-2024-02-27.txt | read |" in page


def test_markdown_escapes_pipes_in_cells():
    claim = dict(claims_of(run_records())[0], status="mismatch", sentence="Sales | costs were up.")
    row = next(line for line in report.render_markdown([claim]).splitlines()
               if line.startswith("| mismatch"))
    assert "Sales \\| costs were up." in row
    assert len(re.split(r"(?<!\\)\|", row)) == len(report.CLAIM_PROBLEM_HEADINGS) + 2


def test_csv_has_one_row_per_claim_in_stable_columns():
    rows = list(csv.reader(io.StringIO(report.render_csv(run_records()))))
    assert rows[0] == ["doc", "start", "end", "text", "metric", "label", "kind", "value",
                       "value_high", "unit", "qualifier", "period_start", "period_end",
                       "period_instant", "base_start", "base_end", "base_instant", "segment",
                       "speaker_name", "speaker_role", "status", "table_value", "delta",
                       "restated_value", "evidence_formula", "sentence", "rule"]
    table = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert len(table) == 15
    mismatch = next(row for row in table if row["status"] == "mismatch")  # the first one
    assert (mismatch["value"], mismatch["table_value"], mismatch["delta"],
            mismatch["evidence_formula"]) == ("14000000", "13702000", "298000", "Revenue[3M 2024-09-30]")
    assert next(row for row in table if row["text"] == "two-thirds")["value"] == "0.6667"
    assert any(row["text"] == "$3.1\nmillion" for row in table)  # a line break survives quoting
    growth = next(row for row in table if row["kind"] == "pct_change")
    assert (growth["base_start"], growth["base_end"]) == ("2024-04-01", "2024-06-30")
    usage = next(row for row in table if row["metric"] == "cash_usage")
    assert (usage["speaker_name"], usage["speaker_role"]) == ("Dana Ortiz", "CFO")


def test_html_is_self_contained():
    page = report.render_html(run_records(), release_texts())
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<script[^>]*\bsrc\b", page, re.I)
    assert not re.search(r"<link\b|@import|url\(", page, re.I)


def test_html_highlights_every_claim_with_its_status_and_table_value():
    records = run_records()
    page = report.render_html(records, release_texts())
    anchors = highlighted(page)
    claims = claims_of(records)
    assert len(anchors) == len(claims)
    by_text = {" ".join(text.split()): (cls, title) for cls, _, title, text in anchors}
    for claim in claims:
        cls, title = by_text[" ".join(claim["text"].split())]
        assert cls == f"claim {claim['status']}"
        if claim["table_value"] is not None:
            assert report.format_figure(claim["table_value"], claim["unit"]) in title
    assert "Revenue[3M 2024-09-30]" in by_text["$14.0 million"][1]
    assert "operations · Revenue · Three months ended September 30, 2024 · line 27" in \
        by_text["$14.0 million"][1]


def test_html_shows_the_narrative_not_the_tables():
    page = report.render_html(run_records(), release_texts())
    assert "Backlog at June 30, 2024 stood at" in page
    assert "Net decrease in cash and cash equivalents    (4,812)" not in page
    assert "About Harbor Microgrid" not in page  # the boilerplate after the last claim


def test_html_lists_problems_before_the_releases():
    page = report.render_html(run_records(), release_texts())
    problems = page[page.index('<section id="problems">'):page.index("</section>")]
    assert page.index('<section id="problems">') < page.index('<section class="release"')
    assert ">mismatch</span>" in problems and "table $13,702,000" in problems
    assert 'href="#claim-1-0"' in problems  # jumps to the highlighted claim
    assert ">restatement</span>" in problems and "18,420,000" in problems
    assert ">check failed</span>" in problems
    assert ">releases disagree</span>Revenue, 2024-04-01 to 2024-06-30: $12,400,000 " \
           "(hmgi-2024-08-01.txt), $12,500,000 (hmgi-2024-11-05.txt)</li>" in problems


def test_html_draws_a_timeline_only_for_metrics_with_two_dates():
    page = report.render_html(run_records(), release_texts())
    assert page.count("<svg") == 5
    assert 'aria-label="Backlog (USD, levels)"' in page
    assert "2024-06-30: $48,200,000 (hmgi-2024-08-01.txt)" in page
    one_release = [record for record in run_records() if record.get("doc") != Q3]
    assert "<svg" not in report.render_html(one_release, release_texts())


def test_html_without_texts_highlights_claims_in_their_sentences():
    records = run_records()
    for texts in (None, {Q2: "a different text", Q3: ""}):
        page = report.render_html(records, texts)
        anchors = highlighted(page)
        assert len(anchors) == len(claims_of(records))
        assert "Revenue for the third quarter was " in page
    assert any(text == "$3.1 million" for _, _, _, text in highlighted(report.render_html(records)))


def test_odd_records_do_not_break_the_reports():
    odd = [{"type": "claim"}, {"type": "claim", "doc": "x", "value": "n/a", "start": "?"},
           {"type": "fact"}, {"type": "restatement"}, {"type": "mystery"}, "not a record",
           {"type": "check", "doc": "x", "ok": False}]
    assert "| x |" in report.render_markdown(odd)
    assert 'class="claim unverifiable"' in report.render_html(odd, {"x": "text"})
    assert len(list(csv.reader(io.StringIO(report.render_csv(odd))))) == 3


def test_write_reports_writes_three_files_and_no_temporaries(tmp_path):
    report.write_reports(run_records(), tmp_path, release_texts())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["claims.csv", "report.html", "report.md"]
    assert (tmp_path / "claims.csv").read_bytes().startswith(b"doc,start,end")


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           *args], capture_output=True, text=True, timeout=120, check=True)


@pytest.mark.browser
def test_a_browser_renders_the_highlights_and_the_problem_list(tmp_path):
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    page = tmp_path / "report.html"
    report.write_html(run_records(), page, release_texts())
    dom = chromium(tmp_path, "--dump-dom", f"{page.as_uri()}#note-1-0").stdout
    assert dom.count('class="claim mismatch" id=') == 2
    assert len(re.findall(r'<a class="claim (?:match|mismatch|unverifiable)" id=', dom)) == 15
    assert '<ul class="problems">' in dom and "table $13,702,000" in dom
    assert re.search(r'<details class="notes" open="">(?:(?!</details>).)*id="note-1-0"', dom, re.S)

    screenshot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,2000", page.as_uri())
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000
    print(f"screenshot: {screenshot}")
