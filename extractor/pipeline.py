"""One release through every stage, and a group of releases of one issuer reconciled together.

    read -> tables -> periods -> quotes -> nlp (claims) -> reconcile (per issuer group)

`Extractor` holds what is loaded once (the validated patterns and the spaCy pipeline) so a
worker process pays for it once; everything else is a pure function of the release.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from . import document, periods, quotes, reconcile, tables
from .claims import ReleaseContext, prose_view
from .models import (BlockKind, Period, Claim, Corroboration, ErrorRecord, Fact, IntegrityCheck,
                     Quote, Release, Restatement)
from .nlp import build_nlp
from .resources import Resources, load_resources

CLAIM_BLOCKS = (BlockKind.NARRATIVE, BlockKind.ABOUT)


@dataclass(frozen=True)
class ReleaseResult:
    """Everything extracted from one release, before cross-release reconciliation."""

    release: Release
    facts: tuple[Fact, ...]
    checks: tuple[IntegrityCheck, ...]
    quotes: tuple[Quote, ...]
    claims: tuple[Claim, ...]

    @property
    def issuer_key(self) -> str:
        issuer = self.release.issuer
        return (issuer.ticker or issuer.name or self.release.doc).upper()


@dataclass(frozen=True)
class GroupResult:
    """A group of releases of one issuer after reconciliation."""

    releases: tuple[ReleaseResult, ...]
    restatements: tuple[Restatement, ...] = ()
    corroborations: tuple[Corroboration, ...] = ()


def claim_spans(release: Release) -> list[tuple[int, int]]:
    return [(block.start, block.end) for block in release.blocks if block.kind in CLAIM_BLOCKS]


class Extractor:
    """The loaded pipeline: call it on a path, bytes or text to get a ReleaseResult."""

    def __init__(self, resources: Optional[Resources] = None):
        self.resources = resources or load_resources()
        self.nlp = build_nlp(self.resources)

    def read(self, source: Union[str, Path, bytes], doc: Optional[str] = None) -> Release:
        return document.read_release(source, doc)

    def extract(self, release: Release) -> ReleaseResult:
        facts, checks = tables.extract_tables(release)
        table_periods = sorted({fact.period for fact in facts if fact.period.is_dated},
                               key=Period.sort_key)
        spans = claim_spans(release)
        view = prose_view(release.clean, spans)
        rules = self.resources.period_rules
        mentions = periods.find_period_mentions(view.text, rules)
        period_context = periods.context_from_mentions(mentions, release.date, table_periods)
        found_quotes = quotes.find_quotes(release.doc, release.clean, spans, self.resources.roles,
                                          printed=release.text)
        context = ReleaseContext(doc=release.doc, text=release.text, view=view,
                                 periods=period_context, quotes=tuple(found_quotes),
                                 release_date=release.date, mentions=tuple(mentions))
        doc = self.nlp.make_doc(view.text)
        doc._.release_context = context
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        return ReleaseResult(release, tuple(facts), tuple(checks), tuple(found_quotes),
                             tuple(doc._.claims or ()))


def reconcile_group(results: Sequence[ReleaseResult], resources: Resources,
                    history: Sequence[Fact] = ()) -> GroupResult:
    """Judge every claim of one issuer's releases with all their facts in view, and the facts
    of its releases read in earlier runs (`history`, from the store) as further evidence."""
    docs = {result.release.doc for result in results}
    facts = [fact for result in results for fact in result.facts]
    facts += [fact for fact in history if fact.doc not in docs]
    claims = [claim for result in results for claim in result.claims]
    issuer = results[0].release.issuer.name if results else None
    judged_claims, restatements = reconcile.reconcile_issuer(claims, facts, issuer, resources.metrics)
    judged = iter(judged_claims)
    updated = tuple(replace(result, claims=tuple(next(judged) for _ in result.claims))
                    for result in results)
    return GroupResult(releases=updated, restatements=tuple(restatements),
                       corroborations=tuple(reconcile.corroborate(claims)))


def group_by_issuer(results: Iterable[ReleaseResult]) -> list[list[ReleaseResult]]:
    """Releases of one issuer together, groups in order of their first release."""
    groups: dict[str, list[ReleaseResult]] = {}
    for result in results:
        groups.setdefault(result.issuer_key, []).append(result)
    return list(groups.values())


def release_records(result: ReleaseResult) -> list[dict]:
    """The JSONL records of one release, in a fixed order."""
    records = [claim.to_dict() for claim in result.claims]
    records += [quote.to_dict() for quote in result.quotes]
    records += [fact.to_dict() for fact in result.facts]
    records += [check.to_dict() for check in result.checks]
    return records


def group_records(group: GroupResult) -> list[dict]:
    records = [record for result in group.releases for record in release_records(result)]
    records += [item.to_dict() for item in group.restatements]
    records += [item.to_dict() for item in group.corroborations]
    return records


def error_record(path: str, stage: str, error: BaseException) -> ErrorRecord:
    return ErrorRecord(path=path, stage=stage, message=f"{type(error).__name__}: {error}")
