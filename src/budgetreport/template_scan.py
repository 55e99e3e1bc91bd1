"""report.docx as a clerk sees it: paragraphs with their place (第几部分, the heading above, table row and
column, the sentence), the tags in them, and what looks like a tag but is not one. `templates check`
(template_check) builds on this; nothing here renders anything."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _T, _TBL, _TR, _TC, _BODY = f"{_W}p", f"{_W}t", f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}body"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

# a tag as docxtpl reads it: {{ … }}, {%p … %} (p/tr/tc/r: docxtpl's paragraph, row, cell, run forms), {# … #}
# (a tag never spans the opening of another: "{% if a % }…{% endif %}" is a broken tag and a whole one)
TAG = re.compile(r"\{\{-?(?:(?P<vp>p|r|tr|tc)\s+)?\s*(?P<expr>(?:(?!\{[{%]).)*?)\s*-?\}\}"
                 r"|\{%-?(?:(?P<bp>p|r|tr|tc)\s+)?\s*(?P<stmt>(?:(?!\{[{%]).)*?)\s*-?%\}"
                 r"|\{#.*?#\}", re.S)
# a brace or percent typed with a Chinese input method (full-width) where a tag's delimiter belongs
_LOOKALIKE = re.compile(r"[{｛][{｛%％]|[%％}｝][}｝]")
_FULL_WIDTH = set("｛｝％")
_LONE = re.compile(r"\{\{|\}\}|\{%|%\}")
_SPLIT = re.compile(r"\{\s+\{|\}\s+\}|\{\s+%|%\s+\}")


@dataclass(frozen=True)
class Place:
    """Where a paragraph is, in the words a clerk uses in Word."""
    file: str                   # report.docx, or "report.docx 的页脚" …
    part: str = ""              # the Heading 1 above (第一部分 …)
    heading: str = ""           # the nearest heading or table title above
    cell: str = ""              # 表格第 3 行第 2 列, or ""
    index: int = 0              # paragraph number under that heading (1-based), 0 in a table

    def describe(self) -> str:
        parts = [p for p in (self.part, self.heading if self.heading != self.part else "") if p]
        where = " › ".join(_short(p, 30) for p in parts) or "文档开头"
        if self.cell:
            return f"{self.file}：{where} › {self.cell}"
        return f"{self.file}：{where} › 第 {self.index} 段" if self.index else f"{self.file}：{where}"


@dataclass
class Paragraph:
    text: str
    place: Place
    in_table: bool = False


@dataclass
class Tag:
    """One tag in a paragraph: kind "{{" or "{%", docxtpl prefix, its inside, and the sentence around it."""
    kind: str
    prefix: str
    body: str
    raw: str
    paragraph: Paragraph
    start: int = 0
    words: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        return around(self.paragraph.text, self.start, len(self.raw))


def around(text: str, start: int, length: int, width: int = 24) -> str:
    """The sentence around text[start:start+length], cut at width characters each side."""
    left = max(start - width, 0)
    right = min(start + length + width, len(text))
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _styles(archive: zipfile.ZipFile) -> dict[str, str]:
    """style id → style name, lower-cased ("heading 1", "table title", "toc 1" …)."""
    try:
        root = etree.fromstring(archive.read("word/styles.xml"), _PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return {}
    out = {}
    for style in root.iter(f"{_W}style"):
        name = style.find(f"{_W}name")
        if name is not None:
            out[style.get(f"{_W}styleId", "")] = (name.get(f"{_W}val") or "").lower()
    return out


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(_T))


def _style(p, styles: dict[str, str]) -> str:
    style = p.find(f"{_W}pPr/{_W}pStyle")
    return styles.get(style.get(f"{_W}val", ""), "") if style is not None else ""


def body_paragraphs(data: bytes) -> list[Paragraph]:
    """The document's paragraphs in order, each with its place."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = _styles(archive)
        root = etree.fromstring(archive.read("word/document.xml"), _PARSER)
    body = root.find(_BODY)
    out: list[Paragraph] = []
    part = heading = ""
    index = 0
    for child in body if body is not None else ():
        if child.tag == _P:
            text, style = _text(child), _style(child, styles)
            if style == "heading 1":
                part, heading, index = text, "", 0
            elif style in ("heading 2", "heading 3", "table title", "table number", "toc heading"):
                heading, index = text, 0
            else:
                index += 1          # paragraphs under the heading, counted from 1 (the heading itself: 0)
            out.append(Paragraph(text, Place("report.docx", part, heading, "", index)))
        elif child.tag == _TBL:
            for r, row in enumerate(child.iter(_TR), 1):
                for c, cell in enumerate(row.iterchildren(_TC), 1):
                    for p in cell.iter(_P):
                        out.append(Paragraph(_text(p), Place("report.docx", part, heading, f"表格第 {r} 行第 {c} 列"),
                                             in_table=True))
    return out


def part_paragraphs(data: bytes, name: str, label: str) -> list[Paragraph]:
    """A header or footer part's paragraphs (their place: 页眉/页脚 and the paragraph number)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read(name), _PARSER)
    return [Paragraph(_text(p), Place(f"report.docx 的{label}（{name.rsplit('/', 1)[-1]}）", index=i))
            for i, p in enumerate(root.iter(_P), 1)]


def header_footer_names(data: bytes) -> list[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    return [(n, "页眉" if "header" in n else "页脚") for n in sorted(names)
            if re.fullmatch(r"word/(header|footer)\d*\.xml", n)]


@dataclass
class Slip:
    """Something that looks like a tag but is not one."""
    paragraph: Paragraph
    start: int
    text: str
    message: str
    fix: str


def tags_and_slips(paragraph: Paragraph) -> tuple[list[Tag], list[Slip]]:
    """The well-formed tags of a paragraph, and the look-alikes: full-width ｛｝％, a lone {{ or }}, braces split
    by a space."""
    text = paragraph.text
    tags, slips = [], []
    for m in _LOOKALIKE.finditer(text):
        if _FULL_WIDTH & set(m.group()):
            slips.append(Slip(paragraph, m.start(), m.group(), f"“{m.group()}”用了全角符号，不是模板标签，会原样印在报告里",
                              "切换到半角（英文）输入后重新输入：字段写成 {{ 字段 }}，命令写成 {% 命令 %}"))
    if slips:
        return [], slips
    rest = list(text)
    for m in TAG.finditer(text):
        if m.group().startswith("{#"):
            rest[m.start():m.end()] = " " * (m.end() - m.start())
            continue
        kind = "{{" if m.group().startswith("{{") else "{%"
        prefix = (m.group("vp") or m.group("bp") or "")
        inner = (m.group("expr") if kind == "{{" else m.group("stmt")) or ""
        tags.append(Tag(kind, prefix, inner.strip(), m.group(), paragraph, m.start(), inner.split()))
        rest[m.start():m.end()] = " " * (m.end() - m.start())
    left = "".join(rest)
    for m in _SPLIT.finditer(left):
        slips.append(Slip(paragraph, m.start(), m.group(), f"“{m.group()}”中间有空格，不是完整的标签符号",
                          "删去两个符号之间的空格，写成 {{ }} 或 {% %}"))
    if not slips:
        for m in _LONE.finditer(left):
            pair = {"{{": "}}", "}}": "{{", "{%": "%}", "%}": "{%"}[m.group()]
            opening = m.group() in ("{{", "{%")
            message = (f"“{m.group()}”没有对应的“{pair}”" if opening else f"“{m.group()}”前面没有对应的“{pair}”") + \
                "（标签必须在同一段落内写完整）"
            slips.append(Slip(paragraph, m.start(), m.group(), message,
                              "把标签补完整，如 {{ unit.name }}；如果这里本来就要印出大括号，请删去它"))
    return tags, slips
