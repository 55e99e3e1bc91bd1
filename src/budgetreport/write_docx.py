"""Stage 4, fill: facts + the unit's templates → .docx bytes.

docxtpl's preprocessing (`patch_xml`) turns each templated part of `report.docx` into Jinja source, rendered in a
sandboxed, strict, autoescaping environment; the template is taken apart once per process (docx_package), so a
render fills only those parts and re-zips. Then cells marked MERGE_UP become vertical merges (the 绩效 tables),
and the zip has fixed timestamps so the same input gives the same bytes."""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Union, cast

import docxtpl
from docx.opc.coreprops import CoreProperties
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.oxml import serialize_part_xml
from docx.oxml.coreprops import CT_CoreProperties
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from lxml import etree

from . import diskcache
from .bounded import BoundedCache
from .derive import MERGE_UP
from .docx_package import FilledDocx, Member, TemplatePackage, deflate, write_zip, zip_order
from .errors import BudgetError
from .template_files import check_fonts_toml, check_report_docx
from .template_settings import DEFAULT as DEFAULT_SETTINGS, ReportSettings, settings_for
from .template_errors import failing_file, template_error
from .template_sandbox import BoundedSandbox, RenderLimit
from .templates import TemplateSet, make_env

if TYPE_CHECKING:
    from .facts import ReportFacts

# what the templates receive: the typed facts (derive), or a mapping of the same names (tests, templates check)
Facts = Union["ReportFacts", Mapping[str, Any]]

# the core properties docxtpl renders as Jinja (render_properties)
_RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_SECTIONS = "./w:p/w:pPr/w:sectPr | ./w:sectPr"      # python-docx's sections, seen from the body
_PARAGRAPH_OPEN = re.compile(r"<w:p([ >])")
_TAG = re.compile(r"<[^>]+>")
_DOC_PR = qn("wp:docPr")
_MERGE_UP = MERGE_UP.encode("utf-8")
_BODY, _T, _TC, _TR, _TBL, _VAL = qn("w:body"), qn("w:t"), qn("w:tc"), qn("w:tr"), qn("w:tbl"), qn("w:val")
_GRID_SPAN, _VMERGE = f"{qn('w:tcPr')}/{qn('w:gridSpan')}", f"{qn('w:tcPr')}/{qn('w:vMerge')}"
_TCPR, _VMERGE_TAG = qn("w:tcPr"), qn("w:vMerge")
_BEFORE_VMERGE = (qn("w:tcW"), qn("w:gridSpan"), qn("w:hMerge"))  # schema order: w:vMerge comes after these


_DOCXTPL = DocxTemplate(None)     # for its text passes (patch_xml, resolve_listing): no document needed
_PACKAGES: BoundedCache[bytes, TemplatePackage] = BoundedCache(16)   # report.docx content → taken apart


def fill_docx(facts: Facts, templates: TemplateSet) -> FilledDocx:
    """The filled .docx, with the main document's tree for the PDF stage."""
    path = templates.require("report.docx")
    env = make_env(templates)
    package = _package(path)
    for folder in templates.folders:   # every fonts.toml of the chain well-formed before the PDF stage reads it
        if (folder / "fonts.toml").is_file():
            check_fonts_toml(folder / "fonts.toml")
    try:
        with env.limits():         # the unit's whole document is one render: one deadline, one loop count
            filled, root = _fill(package, facts, env, settings_for(templates))
    except TemplateError as exc:
        culprit = failing_file(exc, path, tuple(p for p in (templates.find("phrases.j2"),) if p))
        error = template_error(exc, culprit)
        raise (_placed(templates, facts, path) if culprit == path else None) or error from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        phrases = templates.find("phrases.j2")
        if not _raised_in_template(exc, phrases):
            raise                  # a bug of ours, not the template's
        culprit = failing_file(exc, path, tuple(p for p in (phrases,) if p))
        raise BudgetError(f"模板中的运算无法进行（{type(exc).__name__}: {exc}）：多半是把文字当作数字用了，"
                          f"或对空值做了运算", file=culprit,
                          hint="用 budgetreport templates check 找到出错的标签；金额请直接用 {{ 字段 }} 印出") from None
    except etree.XMLSyntaxError as exc:
        raise BudgetError(f"模板填充后的 Word 内容不是有效的 XML（{exc}）", file=path,
                          hint="多半是模板中 {%p %}/{%tr %} 标签没有成对，或标签跨越了表格与段落") from None
    data = write_zip([_member(package, name, filled.get(name)) for name in package.order])
    return FilledDocx(data, {package.document: root})


def _placed(templates: TemplateSet, facts: Any, path: Path) -> BudgetError | None:
    """The first problem `templates check` finds in report.docx, as the build's error: its place (part, heading,
    paragraph or table cell), the sentence and the fix — instead of Jinja's view of the error."""
    from .template_check import ERROR, check_templates
    found = next((p for p in check_templates(templates, facts, render=False).problems if p.level == ERROR), None)
    if found is None:
        return None
    where = found.where.removeprefix("report.docx：")
    sentence = f"“{found.sentence}”——" if found.sentence else ""
    return BudgetError(f"{where}：{sentence}{found.message}", file=path, hint=found.fix)


def _raised_in_template(exc: BaseException, phrases: Path | None) -> bool:
    """The exception came out of template code (a compiled template or a phrases.j2 macro)."""
    names = {"<template>", str(phrases)}
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in names:
            return True
        tb = tb.tb_next
    return False


def prepare(templates: TemplateSet) -> None:
    """Take the template apart and compile its Jinja ahead of the first unit: a batch's main process does this
    before it forks its workers, so they inherit it instead of each paying ≈0.2 s on its first unit."""
    env = make_env(templates)
    package = _package(templates.require("report.docx"))
    for xml in (package.body, *(xml for _, xml in package.headers_footers)):
        env.from_string(_flat_source(xml))


def _package(path: Path) -> TemplatePackage:
    """Each template content is taken apart once per process (a batch's units mostly share one)."""
    data = path.read_bytes()
    package = _PACKAGES.get(data)
    if package is None:
        check_report_docx(path, data)
        try:
            package = TemplatePackage.load_cached(data)
            _refuse_lookalikes(path, data)
        except (KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError, PackageNotFoundError) as exc:
            raise BudgetError(f"模板文件是损坏的 Word 文档（{type(exc).__name__}: {exc}）", file=path,
                              hint="请在 Word 或 WPS 中打开并重新保存为 .docx，或用 budgetreport templates copy "
                                   "重新复制默认模板") from None
        _PACKAGES.put(data, package)
    return package


def _refuse_lookalikes(path: Path, data: bytes) -> None:
    """What looks like a tag but is not one (full-width ｛｝％, a lone {{ or }}) would be printed as it is into the
    report: an error, never a silently wrong report."""
    from . import template_scan
    found = []
    parts = [template_scan.body_paragraphs(data)] + [template_scan.part_paragraphs(data, name, label)
                                                      for name, label in template_scan.header_footer_names(data)]
    for paragraph in (p for paragraphs in parts for p in paragraphs):
        for slip in template_scan.tags_and_slips(paragraph)[1]:
            sentence = template_scan.around(paragraph.text, slip.start, len(slip.text))
            found.append([paragraph.place.describe(), sentence, slip.message, slip.fix])
    if found:
        where, sentence, message, fix = found[0]
        more = (f"（另有 {len(found) - 1} 处像标签而不是标签的文字；模板中的其他问题也可能存在，"
                "用 budgetreport templates check 可一次列出全部）" if len(found) > 1 else
                "（模板中的其他问题用 budgetreport templates check 可一次列出全部）")
        where = where.removeprefix("report.docx：")
        raise BudgetError(f"{where}：“{sentence}”——{message}{more}", file=path, hint=fix)


def _fill(package: TemplatePackage, facts: Facts, env: BoundedSandbox,
          settings: ReportSettings = DEFAULT_SETTINGS) -> tuple[dict[str, bytes], etree._Element]:
    """The filled parts by zip name, in docxtpl's order (body, headers, footers, properties, footnotes), and
    the main document's tree."""
    body_xml = _render(package.body, facts, env)
    root = etree.fromstring(package.head + body_xml + package.tail)            # strict: broken XML is an error
    body = root.find(_BODY)
    assert body is not None, "python-docx opened the template: its document has a body"
    if b"docPr" in body_xml:  # docxtpl renumbers drawings from 1001: a picture a loop repeats keeps unique ids
        for number, elt in enumerate(body.iter(_DOC_PR), start=1001):
            elt.attrib["id"] = str(number)
    filled = {name: _reserialised(_render(xml, facts, env)) for name, xml in package.headers_footers}
    filled[package.core] = _core_properties(package.saved[package.core].raw, facts, env, settings)
    if package.footnotes:
        filled.update(_footnotes(package, facts, env, len(body.xpath(_SECTIONS, namespaces=nsmap))))
    if _MERGE_UP in body_xml:                     # no mark anywhere (no 绩效 tables): nothing to merge
        merge_marked_cells(body)
    filled[package.document] = serialize_part_xml(root)
    return filled, root


@functools.lru_cache(maxsize=64)
def _flat_source(xml: str) -> str:
    """docxtpl's patch_xml: the Jinja source a render compiles. Kept in the disk cache too (≈0.09 s for the
    default report's body)."""
    key = diskcache.make_key("jinja-source", xml, docxtpl.__version__, diskcache.source_digest(__name__))
    source = diskcache.fetch("jinja-source", key)
    if not isinstance(source, str):
        source = _DOCXTPL.patch_xml(xml)
        diskcache.keep("jinja-source", key, source)
    return source


@functools.lru_cache(maxsize=64)
def _jinja_source(xml: str) -> str:
    """The same, one line per paragraph as docxtpl's render has it: compiled only to report an error (its
    line number points at the paragraph). The newlines come out again after rendering, so both give the same
    bytes."""
    return _PARAGRAPH_OPEN.sub(r"\n<w:p\1", _flat_source(xml))


def _render(xml: str, facts: Facts, env: BoundedSandbox) -> bytes:
    """docxtpl's render_xml_part, as UTF-8. The source is patched once and compiled once (env caches it) per
    template; the clean-up after rendering works on the bytes (its markers are ASCII, and bytes search fast)."""
    try:
        out = env.render(env.from_string(_flat_source(xml)), facts)
    except RenderLimit:
        raise                      # rendering again to place it would cost the same again
    except TemplateError:
        _raise_in_context(xml, facts, env)
        raise
    data = out.encode("utf-8")
    data = data.replace(b"{_{", b"{{").replace(b"}_}", b"}}").replace(b"{_%", b"{%").replace(b"%_}", b"%}")
    return _resolve_listing(data)


def _raise_in_context(xml: str, facts: Facts, env: BoundedSandbox) -> None:
    """Render again from the source with one line per paragraph: the same error, raised with the lines around
    it (the error message shows them)."""
    source = _jinja_source(xml)
    try:
        env.render(env.from_string(source), facts)
    except TemplateError as exc:
        lineno: int | None = getattr(exc, "lineno", None)     # syntax errors and rewritten runtime errors
        if lineno is not None:
            first = max(lineno - 4, 0)
            # read by template_errors: the lines around the error, on Jinja's own exception
            setattr(exc, "docx_context", [_TAG.sub("", line) for line in source.splitlines()[first:first + 7]])
        raise


@functools.lru_cache(maxsize=64)
def _reserialised(xml: bytes) -> bytes:
    """A filled header or footer as python-docx saves it; they mostly come out the same in every unit."""
    return serialize_part_xml(parse_xml(xml))


def _resolve_listing(data: bytes) -> bytes:
    """docxtpl's listing pass (a value's \\n → line break, \\t → tab, \\a → new paragraph, \\f → page break),
    run only when the filled XML (after any declaration) holds such a character at all."""
    start = data.find(b"?>") + 2 if b"?>" in data else 0
    while data.startswith((b"\r", b"\n"), start):
        start += 1
    if all(data.find(ch, start) < 0 for ch in (b"\n", b"\t", b"\a", b"\f")):
        return data
    return _DOCXTPL.resolve_listing(data.decode("utf-8")).encode("utf-8")


def _core_properties(xml: bytes, facts: Facts, env: BoundedSandbox, settings: ReportSettings) -> bytes:
    element = parse_xml(xml)
    props = CoreProperties(cast(CT_CoreProperties, element))   # parse_xml's element class for core.xml
    for name in _RENDERED_PROPERTIES:
        setattr(props, name, env.render(env.from_string(getattr(props, name)), facts))
    _set_properties(props, facts, settings)
    return serialize_part_xml(element)


def _footnotes(package: TemplatePackage, facts: Facts, env: BoundedSandbox,
               sections: int) -> dict[str, bytes]:
    """docxtpl renders every footnotes part once per section of the filled document."""
    texts = {name: xml.encode("utf-8") for name, xml in package.footnotes}
    for _ in range(sections):
        texts = {name: _render(data.decode("utf-8"), facts, env) for name, data in texts.items()}
    return texts


def _member(package: TemplatePackage, name: str, data: bytes | None) -> Member:
    """A part that came out as the template has it keeps the template's deflated bytes; a filled part is deflated
    for speed (zlib level 1: a tenth of the render's time saved for a few KB more)."""
    saved = package.saved[name]
    return saved if data is None or data == saved.raw else deflate(name, data, zlib.Z_BEST_SPEED)


def _set_properties(props: CoreProperties, facts: Any, settings: ReportSettings = DEFAULT_SETTINGS) -> None:
    """Core properties fixed by the workbook and the template's settings.toml, never by the clock (reruns are
    byte-identical). The PDF takes its title and subject from here."""
    unit = _field(facts, "unit")
    name, year, code = _field(unit, "name"), _field(unit, "year"), _field(unit, "code") or ""
    date = _field(unit, "date_value")
    stamp = dt.datetime(date.year, date.month, date.day)
    props.title = settings.fill(settings.title, name, code, year)
    props.author = name
    props.last_modified_by = name
    props.subject = settings.fill(settings.subject, name, code, year)
    props.keywords = f"{settings.report_name}, {year}, {name}"
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1


def _field(obj: Any, name: str) -> Any:
    """A fact by name, from a dict or a dataclass alike."""
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _grid_cells(row):
    """(the grid column where it starts, honouring gridSpan; the w:tc) for each cell of the w:tr `row`."""
    col = 0
    for tc in row.iterchildren(_TC):
        yield col, tc
        span = tc.find(_GRID_SPAN)
        col += int(span.get(_VAL)) if span is not None else 1


def _set_vmerge(tc, value: str | None) -> None:
    """Mark a cell as the start ("restart") or a continuation (no value) of a vertical merge."""
    tcPr = tc.find(_TCPR)
    if tcPr is None:
        tcPr = etree.Element(_TCPR)
        tc.insert(0, tcPr)
    vm = tcPr.find(_VMERGE_TAG)
    if vm is None:
        vm = etree.Element(_VMERGE_TAG)
        # schema order: w:vMerge comes after w:tcW / w:gridSpan / w:hMerge, before w:vAlign, w:shd …
        anchors = [found for found in map(tcPr.find, _BEFORE_VMERGE) if found is not None]
        if anchors:
            anchors[-1].addnext(vm)
        else:
            tcPr.insert(0, vm)
    if value:
        vm.set(_VAL, value)


def _marked_cells(body) -> list:
    """Table cells (w:tc of a w:tr of a w:tbl) whose whole text is MERGE_UP, in document order: found from the
    w:t holding the mark (a {{ }} value fills one w:t), so unmarked cells cost nothing."""
    cells: list = []
    for t in body.iter(_T):
        if t.text == MERGE_UP:
            tc = next(t.iterancestors(_TC), None)
            if tc is not None and tc not in cells and tc.getparent().tag == _TR \
                    and tc.getparent().getparent().tag == _TBL \
                    and "".join(t.text or "" for t in tc.iter(_T)) == MERGE_UP:
                cells.append(tc)
    return cells


def merge_marked_cells(body) -> None:
    """A table cell whose whole text is MERGE_UP continues the cell above it (vertical merge). Top to bottom, so
    a run of marks continues one merge."""
    for tc in _marked_cells(body):
        row = tc.getparent()
        col = next(c for c, cell in _grid_cells(row) if cell is tc)
        for t in tc.iter(_T):
            t.text = ""
        _set_vmerge(tc, None)
        # the first cell above in the same grid column that is not itself a continuation restarts the merge
        for above_row in row.itersiblings(_TR, preceding=True):
            above = next((cell for c, cell in _grid_cells(above_row) if c == col), None)
            if above is None:
                break
            vm = above.find(_VMERGE)
            if vm is None:
                _set_vmerge(above, "restart")
                break
            if vm.get(_VAL) == "restart":
                break


def normalize_zip(data: bytes) -> bytes:
    """Same parts, same order, fixed timestamps: byte-identical output for identical input."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return write_zip([deflate(name, src.read(name)) for name in zip_order(src.namelist())])
