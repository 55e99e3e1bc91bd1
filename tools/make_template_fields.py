"""Regenerate docs/template-fields.md from the facts' types and the sample workbook.

    python tools/make_template_fields.py      (the same as: budgetreport templates fields --markdown)
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from budgetreport.template_fields import as_markdown, catalogue, sample_facts  # noqa: E402

OUT = ROOT / "docs" / "template-fields.md"

if __name__ == "__main__":
    OUT.write_text(as_markdown(catalogue(sample_facts())), encoding="utf-8")
    print(f"已生成 {OUT.relative_to(ROOT)}")
