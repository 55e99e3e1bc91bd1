"""mypy, configured in pyproject.toml ([tool.mypy]), passes on src/budgetreport: the CI runs it through this test."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "budgetreport"


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (pip install -e '.[test]' installs it)")
def test_mypy_passes_on_src() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # the configuration checks every module of the package, not a part of it
    checked = re.search(r"no issues found in (\d+) source files", result.stdout)
    assert checked, result.stdout
    assert int(checked.group(1)) >= len(list(SRC.rglob("*.py")))


def test_every_type_ignore_names_its_error_code() -> None:
    """A bare `type: ignore` silences every error on its line, the ones nobody has looked at too."""
    bare = []
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in re.finditer(r"type:\s*ignore(\[[a-z0-9-]+(,\s*[a-z0-9-]+)*\])?", line):
                if not match.group(1):
                    bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "\n".join(bare)
