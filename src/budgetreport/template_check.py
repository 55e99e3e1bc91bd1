"""`budgetreport templates check`: every problem of a unit's templates in one run, each in Chinese at its place
in the document as a clerk sees it, with the fix (docs/templates.md 四). In order: the lookup, each file readable,
look-alike tags, each tag's syntax, blocks opened and closed, the fields a tag names, phrases.j2, a real render.

    check_templates(templates, facts) → TemplateReport (problems: errors and 提醒s; the lookup chain)"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from .errors import BudgetError
from .template_tag_fields import UNKNOWN, Scopes, check_fields
from .template_files import check_fonts_toml, check_report_docx, read_phrases
from .template_jinja_text import translate_syntax_error
from .template_scan import Paragraph, Place, Tag, around, body_paragraphs, header_footer_names, \
    part_paragraphs, tags_and_slips
from .templates import TemplateSet, make_env

ERROR, WARNING = "错误", "提醒"
_OPENERS = {"if", "for", "macro", "call", "filter", "with", "autoescape", "block", "raw"}
_MIDDLES = {"elif": {"if"}, "else": {"if", "for"}}
_KNOWN = _OPENERS | set(_MIDDLES) | {f"end{k}" for k in _OPENERS} | {"set", "endset", "include", "import", "from",
                                                                    "do", "break", "continue", "extends"}


@dataclass
class Problem:
    level: str
    where: str          # file and place, as a clerk finds it
    sentence: str       # the text around the tag ("" when none)
    message: str
    fix: str = ""
    order: int = 0      # paragraph number in its document part, to list problems in document order

    def lines(self) -> list[str]:
        head = f"{self.level}：{self.where}"
        out = [head, f"    原文：“{self.sentence}”"] if self.sentence else [head]
        out.append(f"    问题：{self.message}")
        if self.fix:
            out.append(f"    改法：{self.fix}")
        return out


@dataclass
class TemplateReport:
    templates: TemplateSet
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False         # a file could not be read at all: exit 2, as `check` does
    order: int = 0                   # the paragraph being checked

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.level == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def add(self, level: str, place: Place | str, sentence: str, message: str, fix: str = "") -> None:
        where = place.describe() if isinstance(place, Place) else place
        self.problems.append(Problem(level, where, sentence, message, fix, self.order))


def check_templates(templates: TemplateSet, facts: Any, render: bool = True) -> TemplateReport:
    """Every problem of these templates, rendered with these facts (`render=False`: the checks without the
    final render, as a build uses them to place an error it met)."""
    report = TemplateReport(templates)
    for note in templates.notes:
        report.add(WARNING, "模板查找", "", note)
    _check_side_files(templates, report)
    phrases_ok = _check_phrases(templates, report)
    docx = templates.find("report.docx")
    if docx is None:
        report.add(ERROR, "report.docx", "", "找不到 report.docx", "用 budgetreport templates copy 复制默认模板")
        report.unreadable = True
        return report
    data = docx.read_bytes()
    try:
        check_report_docx(docx, data)
    except BudgetError as exc:
        report.add(ERROR, str(docx), "", exc.message, exc.hint or "")
        report.unreadable = True
        return report
    env = make_env(templates) if phrases_ok else None
    clean = True
    for paragraphs in _documents(data):
        clean &= _check_document(paragraphs, facts, env, report)
    if render and clean and phrases_ok and report.errors == 0:
        _check_render(templates, facts, report)
    return report


def _documents(data: bytes) -> list[list[Paragraph]]:
    """The body, then each header and footer: each is a template of its own."""
    return [body_paragraphs(data), *(part_paragraphs(data, name, label) for name, label in header_footer_names(data))]


def _check_side_files(templates: TemplateSet, report: TemplateReport) -> None:
    from .template_settings import read_settings
    for folder in templates.folders:
        for name, check in (("fonts.toml", check_fonts_toml), ("settings.toml", read_settings)):
            path = folder / name
            if path.is_file():
                try:
                    check(path)
                except BudgetError as exc:
                    report.add(ERROR, str(path), "", exc.message, exc.hint or "")


def _check_phrases(templates: TemplateSet, report: TemplateReport) -> bool:
    """phrases.j2 reads as UTF-8 and compiles; its syntax errors with their line."""
    path = templates.find("phrases.j2")
    if path is None:
        report.add(ERROR, "phrases.j2", "", "找不到 phrases.j2", "用 budgetreport templates copy 复制默认模板")
        return False
    try:
        text = read_phrases(path)
    except BudgetError as exc:
        report.add(ERROR, str(path), "", exc.message, exc.hint or "")
        report.unreadable = True
        return False
    from jinja2.sandbox import SandboxedEnvironment
    try:
        SandboxedEnvironment().parse(text)
    except TemplateSyntaxError as exc:
        lines = text.splitlines()
        line = lines[exc.lineno - 1].strip() if exc.lineno and 0 < exc.lineno <= len(lines) else ""
        message, fix = translate_syntax_error(exc)
        report.add(ERROR, f"{path} 第 {exc.lineno} 行", line, message, fix)
        return False
    try:
        make_env(templates)
    except BudgetError as exc:
        report.add(ERROR, str(path), "", exc.message, exc.hint or "")
        return False
    return True


# the names a template sees besides the facts, when phrases.j2 could not be loaded (its macros: not checked)
_GLOBALS = {"ph": UNKNOWN, "range": range, "dict": dict, "lipsum": UNKNOWN, "cycler": UNKNOWN, "joiner": UNKNOWN,
            "namespace": UNKNOWN}


@dataclass
class _Open:
    keyword: str
    tag: Tag


def _check_document(paragraphs: list[Paragraph], facts: Any, env: Any, report: TemplateReport) -> bool:
    """Look-alikes, syntax, blocks and fields of one document part; True when its tags are all well-formed."""
    stack: list[_Open] = []
    scopes = Scopes(facts, env.globals if env is not None else _GLOBALS)
    if env is not None:
        scopes.filters, scopes.tests = set(env.filters), set(env.tests)
    clean = True
    first = len(report.problems)
    numbers = {id(p): i for i, p in enumerate(paragraphs)}
    for number, paragraph in enumerate(paragraphs):
        report.order = number
        tags, slips = tags_and_slips(paragraph)
        for slip in slips:
            sentence = around(paragraph.text, slip.start, len(slip.text))
            report.add(ERROR, paragraph.place, sentence, slip.message, slip.fix)
            clean = False
        for tag in tags:
            clean &= _check_tag(tag, stack, scopes, report)
    for left in reversed(stack):
        report.order = numbers[id(left.tag.paragraph)]
        end = "end" + left.keyword
        report.add(ERROR, left.tag.paragraph.place, left.tag.sentence(),
                   f"{left.tag.raw} 没有结束：后面找不到与它配对的 {{% {end} %}}",
                   f"在这一部分内容结束的地方加上 {{%{left.tag.prefix} {end} %}}（与开头的写法一致）")
        clean = False
    report.problems[first:] = sorted(report.problems[first:], key=lambda p: p.order)
    return clean


def _check_tag(tag: Tag, stack: list[_Open], scopes: Scopes, report: TemplateReport) -> bool:
    place, sentence = tag.paragraph.place, tag.sentence()
    if tag.kind == "{{":
        return _check_expression(tag, f"{{{{ {tag.body} }}}}", None, scopes, report)
    keyword = tag.words[0] if tag.words else ""
    if keyword not in _KNOWN:
        report.add(ERROR, place, sentence, f"{tag.raw} 中的“{keyword or '（空）'}”不是模板命令",
                   "{% %} 中只能写 if、elif、else、endif、for、endfor、set 等命令；要印出字段请写 {{ 字段 }}")
        return False
    if tag.prefix == "tr" and not tag.paragraph.in_table:
        report.add(ERROR, place, sentence, f"{tag.raw} 只能写在表格的行中（tr 表示整行）",
                   "把它移到表格中要重复的那一行，或改用 {%p … %}")
        return False
    if keyword in _OPENERS or (keyword == "set" and "=" not in tag.body):
        ok = _check_expression(tag, f"{{% {tag.body} %}}{{% end{keyword} %}}", keyword, scopes, report)
        stack.append(_Open(keyword, tag))
        scopes.push()
        if keyword == "for" and ok:
            scopes.bind_loop(tag.body)
        return ok
    if keyword in _MIDDLES:
        if not stack or stack[-1].keyword not in _MIDDLES[keyword]:
            report.add(ERROR, place, sentence, f"{tag.raw} 前面没有与之配对的 {{% if %}}",
                       f"删去它，或在前面补上 {{%{tag.prefix} if 条件 %}}")
            return False
        if keyword == "elif":
            return _check_expression(tag, f"{{% if 1 %}}{{% {tag.body} %}}{{% endif %}}", None, scopes, report)
        return True
    if keyword.startswith("end"):
        return _close(tag, keyword[3:], stack, scopes, report)
    if keyword == "set":
        ok = _check_expression(tag, f"{{% {tag.body} %}}", None, scopes, report)
        if ok:
            scopes.bind_set(tag.body)
        return ok
    return True


def _close(tag: Tag, keyword: str, stack: list[_Open], scopes: Scopes, report: TemplateReport) -> bool:
    place, sentence = tag.paragraph.place, tag.sentence()
    if not stack:
        report.add(ERROR, place, sentence, f"多余的 {tag.raw}：前面没有与之配对的 {{% {keyword} %}}",
                   f"删去它，或在前面补上 {{%{tag.prefix} {keyword} … %}}")
        return False
    if stack[-1].keyword == keyword:
        stack.pop()
        scopes.pop()
        return True
    opened = stack[-1]
    report.add(ERROR, opened.tag.paragraph.place, opened.tag.sentence(),
               f"{opened.tag.raw} 没有结束：在它之后先遇到了 {tag.raw}（{place.describe()}）",
               f"在 {tag.raw} 之前加上 {{%{opened.tag.prefix} end{opened.keyword} %}}")
    while stack and stack[-1].keyword != keyword:
        stack.pop()
        scopes.pop()
    if stack:
        stack.pop()
        scopes.pop()
    return False


def _check_expression(tag: Tag, source: str, keyword: str | None, scopes: Scopes, report: TemplateReport) -> bool:
    """Parse one tag alone (translated syntax errors), then check the fields it names."""
    from jinja2.sandbox import SandboxedEnvironment
    try:
        tree = SandboxedEnvironment().parse(source)
    except TemplateSyntaxError as exc:
        message, fix = translate_syntax_error(exc, tag.raw)
        report.add(ERROR, tag.paragraph.place, tag.sentence(), message, fix)
        return False
    _check_filters(tag, tree, scopes, report)
    for path, names, suggestion in check_fields(tree, keyword, scopes):
        message = f"{tag.raw} 中的 {path} 不存在"
        fix = (f"是不是要写 {suggestion}？" if suggestion else "") + \
            (f"这一层可用的字段：{'、'.join(names[:40])}" + ("……" if len(names) > 40 else "") if names else "")
        report.add(ERROR, tag.paragraph.place, tag.sentence(), message, fix + "（全部字段见 docs/template-fields.md）")
    return True


def _check_filters(tag: Tag, tree: nodes.Template, scopes: Scopes, report: TemplateReport) -> None:
    """`|filter` and `is test` names the environment has (Jinja would only say so when compiling, in English)."""
    import difflib
    for kind, node_type, known in (("过滤器", nodes.Filter, scopes.filters), ("判断", nodes.Test, scopes.tests)):
        for node in tree.find_all(node_type):
            if known and node.name not in known:
                close = difflib.get_close_matches(node.name, sorted(known), n=1, cutoff=0.6)
                report.add(ERROR, tag.paragraph.place, tag.sentence(), f"{tag.raw} 中的“{node.name}”不是可用的{kind}",
                           (f"是不是要写 {close[0]}？" if close else "") + "可用的：" + "、".join(sorted(known)[:40]))


def _check_render(templates: TemplateSet, facts: Any, report: TemplateReport) -> None:
    """A real render with the workbook's facts: what only running can find (a filter given text, …)."""
    from .write_docx import fill_docx
    try:
        fill_docx(facts, templates)
    except BudgetError as exc:
        report.add(ERROR, str(exc.file or "report.docx"), "", f"用工作簿的数据生成时出错：{exc.message}", exc.hint or "")
