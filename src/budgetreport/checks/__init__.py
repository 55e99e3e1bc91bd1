"""Cross-table rules (勾稽关系); see docs/checks.md."""
