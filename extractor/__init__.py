"""extractor: quantitative claims from earnings press releases, checked against their tables."""
