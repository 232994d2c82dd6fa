"""The README's "keep a local copy in step" example runs, unchanged, against a running mock:
it seeds a copy from the public data file, follows a webhook, catches up from the Lambda file
and the buckets, asks search what changed, and ends byte for byte equal to the buckets."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "keep_in_step.py"


def test_keep_in_step_example_ends_with_a_copy_equal_to_the_buckets(mock_orcid, tmp_path):
    mock_orcid.reset()
    done = subprocess.run([sys.executable, str(EXAMPLE), "--url", mock_orcid.url,
                           "--dir", str(tmp_path / "copy"), "--demo"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("public data file: ")
    assert lines[1].startswith("webhook: called back for ")
    assert lines[2].startswith("Lambda file + buckets: 2 record(s) modified since the seed")
    assert lines[3].startswith("search: ")
    assert lines[-1].startswith("in step: ")
