"""The installed package (not only a checkout) finds patterns/ and runs."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_non_editable_install_finds_its_patterns(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(ROOT)], check=True, capture_output=True)
    assert (target / "extractor" / "patterns" / "metrics.jsonl").is_file()
    script = ("import json, extractor, extractor.resources as r; "
              "res = r.load_resources(); "
              "claims = extractor.load()('Revenue for the quarter was $4.1 million.')._.claims; "
              "print(json.dumps([str(res.directory), [c.metric for c in claims]]))")
    # run from an empty folder with the installed copy first on the path: no checkout in sight
    env_path = str(target)
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {env_path!r}); {script}"],
                         cwd=tmp_path, check=True, capture_output=True, text=True)
    directory, metrics = json.loads(out.stdout.strip().splitlines()[-1])
    assert directory.startswith(str(target))
    assert metrics == ["revenue"]
