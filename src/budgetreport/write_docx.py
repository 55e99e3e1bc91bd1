"""Stage 4, fill: facts + the unit's templates → .docx bytes.

docxtpl renders `report.docx` in a sandboxed, strict, autoescaping Jinja environment. Two steps follow that
Word itself would not do for us: cells marked MERGE_UP become vertical merges (the 绩效 tables' merged
一级/二级指标), and the package is re-zipped with fixed timestamps so the same input gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from lxml import etree

from .derive import MERGE_UP
from .errors import BudgetError
from .templates import TemplateSet, failing_file, make_env, template_error

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class _Template(DocxTemplate):
    """docxtpl re-patches the same template XML on every render; do it once per source.
    Its listing pass (\\n → line break, \\t → tab in values) runs only when a value holds such a character."""
    _patched: dict[str, str] = {}

    def resolve_listing(self, xml: str) -> str:
        body = xml.split("?>", 1)[-1].lstrip("\r\n")
        if not any(ch in body for ch in "\n\t\a\f"):
            return xml
        return super().resolve_listing(xml)

    def fix_tables(self, xml: str):
        """docxtpl re-counts grid columns for {%tc %} loops (we have none) after parsing with recover=True,
        which would silently drop broken XML; parse strictly instead, so a broken template is an error."""
        return etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)

    def patch_xml(self, src_xml: str) -> str:
        out = self._patched.get(src_xml)
        if out is None:
            if len(self._patched) > 32:
                self._patched.clear()
            out = self._patched[src_xml] = super().patch_xml(src_xml)
        return out


def render_docx(facts: dict[str, Any], templates: TemplateSet) -> bytes:
    path = templates.require("report.docx")
    env = make_env(templates)
    tpl = _Template(str(path))
    try:
        tpl.render(facts, jinja_env=env, autoescape=True)
    except TemplateError as exc:
        culprit = failing_file(exc, path, tuple(p for p in (templates.find("phrases.j2"),) if p))
        raise template_error(exc, culprit) from None
    except etree.XMLSyntaxError as exc:
        raise BudgetError(f"模板填充后的 Word 内容不是有效的 XML（{exc}）", file=path,
                          hint="多半是模板中 {%p %}/{%tr %} 标签没有成对，或标签跨越了表格与段落") from None
    doc = tpl.docx
    for table in _tables_with_marks(doc.element.body):
        merge_marked_cells(table)
    _set_properties(doc, facts)
    raw = io.BytesIO()
    doc.save(raw)
    return normalize_zip(raw.getvalue())


def _set_properties(doc, facts: dict[str, Any]) -> None:
    """Core properties fixed by the workbook, never by the clock (reruns are byte-identical)."""
    unit = facts["unit"]
    props = doc.core_properties
    date = unit["date_value"]
    stamp = dt.datetime(date.year, date.month, date.day)
    props.title = f"{unit['name']}{unit['year']}年单位预算公开"
    props.author = unit["name"]
    props.last_modified_by = unit["name"]
    props.subject = "单位预算公开"
    props.keywords = f"单位预算公开, {unit['year']}, {unit['name']}"
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1


def _grid_cells(row) -> list[tuple[int, Any]]:
    """(grid column, w:tc) for each cell of a w:tr, honouring gridSpan."""
    out, col = [], 0
    for tc in row.findall(qn("w:tc")):
        out.append((col, tc))
        span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
        col += int(span.get(qn("w:val"))) if span is not None else 1
    return out


def _tc_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _set_vmerge(tc, value: str | None) -> None:
    """Mark a cell as the start ("restart") or a continuation (no value) of a vertical merge."""
    tcPr = tc.find(qn("w:tcPr"))
    if tcPr is None:
        tcPr = etree.Element(qn("w:tcPr"))
        tc.insert(0, tcPr)
    vm = tcPr.find(qn("w:vMerge"))
    if vm is None:
        vm = etree.Element(qn("w:vMerge"))
        # schema order: w:vMerge comes after w:tcW / w:gridSpan / w:hMerge, before w:vAlign, w:shd …
        anchor = None
        for tag in ("w:tcW", "w:gridSpan", "w:hMerge"):
            found = tcPr.find(qn(tag))
            if found is not None:
                anchor = found
        if anchor is not None:
            anchor.addnext(vm)
        else:
            tcPr.insert(0, vm)
    if value:
        vm.set(qn("w:val"), value)


def _tables_with_marks(body) -> list:
    """Only the tables that hold a MERGE_UP mark (the 绩效 tables), found in one pass over the text."""
    tables: list = []
    for t in body.iter(qn("w:t")):
        if t.text == MERGE_UP:
            tbl = next(t.iterancestors(qn("w:tbl")), None)
            if tbl is not None and tbl not in tables:
                tables.append(tbl)
    return tables


def merge_marked_cells(table) -> None:
    """A cell whose whole text is MERGE_UP continues the cell above it (vertical merge)."""
    rows = table.findall(qn("w:tr"))
    grid_rows = [_grid_cells(r) for r in rows]
    for i, cells in enumerate(grid_rows):
        for col, tc in cells:
            if _tc_text(tc) != MERGE_UP:
                continue
            for t in tc.iter(qn("w:t")):
                t.text = ""
            _set_vmerge(tc, None)
            # the first cell above in the same grid column that is not itself a continuation restarts the merge
            for j in range(i - 1, -1, -1):
                above = next((c for g, c in grid_rows[j] if g == col), None)
                if above is None:
                    break
                vm = above.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                if vm is None:
                    _set_vmerge(above, "restart")
                    break
                if vm.get(qn("w:val")) == "restart":
                    break


def normalize_zip(data: bytes) -> bytes:
    """Same parts, same order, fixed timestamps: byte-identical output for identical input."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        ordered = [n for n in names if n == "[Content_Types].xml"] + [n for n in names if n != "[Content_Types].xml"]
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()
