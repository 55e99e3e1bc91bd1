"""Importing budgetreport and building a report leaves every library as it was for other code in the process.

A subprocess imports the libraries first and snapshots every module-level name and every class attribute of
their modules; then it imports all of budgetreport, builds the sample (.docx and PDF, in memory), renders help,
and compares. Any assignment into reportlab, re, jinja2, docxtpl, docx, lxml, openpyxl, typer or click shows up.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = textwrap.dedent('''
    import importlib, pkgutil, sys, re, warnings
    warnings.simplefilter("ignore")
    ROOTS = ["reportlab", "jinja2", "docxtpl", "docx", "openpyxl", "typer", "lxml"]
    def load_all():
        for root in ROOTS:
            pkg = importlib.import_module(root)
            for info in pkgutil.walk_packages(pkg.__path__, root + "."):
                if any(part in info.name for part in (".tests", "__main__", "graphics.testshapes", "_completion")):
                    continue
                try:
                    importlib.import_module(info.name)
                except Exception:
                    pass
    def snapshot():
        seen = {}
        for name, mod in list(sys.modules.items()):
            if mod is None or not (name == "re" or name.split(".")[0] in ROOTS):
                continue
            for attr, value in list(vars(mod).items()):
                seen[(name, attr)] = id(value)
                if isinstance(value, type) and getattr(value, "__module__", None) == name:
                    for cattr, cvalue in list(vars(value).items()):
                        seen[(name, attr + "." + cattr)] = id(cvalue)
        return seen
    # state reportlab itself replaces on every document build (a fresh SimpleDocTemplate does the same)
    REPORTLAB_OWN = {("reportlab.lib.sequencer", "_sequencer")}
    load_all()
    before = snapshot()
    import budgetreport.cli, budgetreport.build, budgetreport.batch
    from budgetreport.build import render_report
    rendered = render_report(sys.argv[1], pdf=True)
    assert rendered.pdf[:5] == b"%PDF-", "no PDF"
    after = snapshot()
    changed = sorted(k for k in before if k in after and before[k] != after[k]
                     and "cache" not in k[1].lower() and k not in REPORTLAB_OWN)
    print("\\n".join(".".join(k) for k in changed))
    sys.exit(1 if changed else 0)
''')


def test_building_a_report_patches_no_library():
    workbook = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
    done = subprocess.run([sys.executable, "-c", _PROBE, str(workbook)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, "changed by budgetreport:\n" + done.stdout + done.stderr[-2000:]
