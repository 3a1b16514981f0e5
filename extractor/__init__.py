"""extractor: quantitative claims from earnings press releases, checked against their tables.

    import extractor
    result = extractor.extract("corpus/cpst-2004-11-04.txt")   # a path, bytes or the text
    for claim in result.claims: print(claim.metric, claim.value, claim.status)
    nlp = extractor.load()                                     # the spaCy pipeline
    doc = nlp("Revenue for the quarter was $4.1 million."); doc._.claims

Nothing is loaded at import; the first call builds the pipeline.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from .models import (Claim, ErrorRecord, Fact, IntegrityCheck, Kind, Period, Qualifier, Quote,
                     Release, Restatement, Speaker, Statement, Status, Unit)

__all__ = ["extract", "load", "Claim", "ErrorRecord", "Fact", "IntegrityCheck", "Kind", "Period",
           "Qualifier", "Quote", "Release", "Restatement", "Speaker", "Statement", "Status", "Unit"]


def load(patterns_dir: Optional[Union[str, Path]] = None):
    """The spaCy pipeline (blank English + our components); `doc._.claims` holds the claims."""
    from .nlp import build_nlp
    from .resources import load_resources
    return build_nlp(load_resources(Path(patterns_dir) if patterns_dir else None))


def extract(source: Union[str, Path, bytes], doc: Optional[str] = None,
            patterns_dir: Optional[Union[str, Path]] = None):
    """Read one release and return its reconciled ReleaseResult (claims, quotes, facts, checks)."""
    from .pipeline import Extractor, reconcile_group
    from .resources import load_resources
    resources = load_resources(Path(patterns_dir) if patterns_dir else None)
    extractor = Extractor(resources)
    result = extractor.extract(extractor.read(source, doc))
    return reconcile_group([result], resources).releases[0]
