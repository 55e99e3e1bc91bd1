"""Importing budgetreport's PDF writer and building a PDF changes nothing of reportlab (or re) for the rest of
the process: every function, class attribute and module attribute is the object a fresh import made (issue 10
item 1). Run in a fresh interpreter, so nothing imported by other tests is in the way."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Imports every reportlab module budgetreport's PDF code uses, snapshots the identity of every attribute of
# every loaded reportlab module and of every class defined in one (methods included), and of re.compile; then
# imports budgetreport, builds the sample-shaped document to PDF and compares.
_PROBE = textwrap.dedent("""
    import re, sys, types
    import reportlab.platypus, reportlab.platypus.paragraph, reportlab.platypus.tables, reportlab.platypus.flowables
    import reportlab.platypus.doctemplate, reportlab.platypus.frames, reportlab.platypus.paraparser
    import reportlab.pdfbase.pdfdoc, reportlab.pdfbase.ttfonts, reportlab.pdfbase.pdfmetrics
    import reportlab.pdfgen.canvas, reportlab.pdfgen.textobject, reportlab.lib.textsplit, reportlab.lib.utils
    import reportlab.lib.styles, reportlab.lib.rl_accel, reportlab.rl_config

    def snapshot():
        out = {("re", "compile"): id(re.compile)}
        for name, mod in list(sys.modules.items()):
            if not name.startswith("reportlab") or mod is None:
                continue
            for attr, value in list(vars(mod).items()):
                out[(name, attr)] = id(value)
                if isinstance(value, type) and value.__module__ == name:
                    for cattr, cvalue in list(vars(value).items()):
                        out[(name, attr + "." + cattr)] = id(cvalue)
                elif type(value).__module__.startswith("reportlab") and hasattr(value, "__dict__"):
                    for iattr, ivalue in list(vars(value).items()):  # instances such as pdfdoc.PDFZCompress
                        out[(name, attr + "." + iattr)] = id(ivalue)
        return out

    before = snapshot()
    keep = {k: v for k, v in sys.modules.items()}  # the objects themselves stay alive: ids stay meaningful
    sys.path.insert(0, sys.argv[1])
    from test_pdf import make_docx
    from budgetreport.pdf import write_pdf, resolve_fonts
    fonts = resolve_fonts()
    pdf = write_pdf(make_docx(), fonts=fonts)
    assert pdf.startswith(b"%PDF"), "no PDF"
    after = snapshot()
    # reportlab's own lazily made globals (it assigns them itself on first use)
    own_lazy = {"reportlab.lib.colors._namedColors", "reportlab.lib.sequencer._sequencer"}
    changed = sorted(".".join(k) for k, v in before.items() if after.get(k) != v and ".".join(k) not in own_lazy)
    # attributes added to a module, class or instance that was there before
    known = {(m, a.split(".")[0]) for m, a in before}
    changed += sorted(".".join(k) + " (added)" for k in after if k not in before and "." in k[1] and
                      (k[0], k[1].split(".")[0]) in known and not k[1].endswith(".__slotnames__")  # copyreg's
                      and ".".join(k).rsplit(".", 1)[0] not in own_lazy)
    print("CHANGED", changed)
    # the faces budgetreport registered carry no functions of their own in place of their class's methods
    from reportlab.pdfbase import pdfmetrics
    for role in ("title", "heading", "body", "table"):
        font = pdfmetrics.getFont(fonts.role(role).name)
        for obj in (font, font.face):
            own = sorted(k for k, v in vars(obj).items() if callable(v) and hasattr(type(obj), k))
            print("OWN", type(obj).__name__, own)
""")


def test_building_a_pdf_leaves_reportlab_and_re_as_they_were() -> None:
    res = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT / "tests")], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    lines = res.stdout.splitlines()
    changed = [line for line in lines if line.startswith("CHANGED")]
    assert changed == ["CHANGED []"], changed
    own = [line for line in lines if line.startswith("OWN")]
    assert own and all(line.endswith("[]") for line in own), own
