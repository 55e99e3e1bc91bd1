"""How each contract style looks (公文 conventions, overridden by the template's styles) and the paragraphs
built in those looks: ParagraphStyles, fragments, 目录 entries.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from reportlab.lib.abag import ABag
from reportlab.lib.colors import HexColor
from reportlab.lib.colors import black as _BLACK
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer
from reportlab.platypus.paragraph import Paragraph
from reportlab.platypus.paraparser import ParaFrag

from . import docmodel as m
from .autospace import kern_markup, kern_points, kern_size
from .caches import CACHES
from .fonts import Face, FontSet, single_line
from .latin_fonts import latin_face, split_scripts
from .pages import _draw_toc_pending
from .synthetic import OFF, SYNTH, label, marker
from .paragraphs import _ENTITY_CHARS, _ENTITY_SPLIT, CJKParagraph, _clean, _font_markup


# ------------------------------------------------------------------------------------------ styles

_NO_INFO = m.StyleInfo()
_ALIGN: dict[str, Literal[0, 1, 2, 4]] = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
MIN_TABLE_FONT = 7.0


@dataclass(frozen=True)
class Look:
    """How a contract style looks when the template does not say (公文 conventions)."""
    role: str
    size: float
    align: str = "left"
    indent: float = 0.0  # first-line indent, in characters
    left: float = 0.0  # left indent, in characters
    before: float = 0.0
    after: float = 0.0
    leading: float = 1.5
    keep: float = 0.0  # CondPageBreak height: keep this with what follows


LOOKS: dict[str, Look] = {
    "Title": Look("title", 26, "center", before=200, after=24, leading=1.4),  # a third down the cover
    "Subtitle": Look("title", 22, "center", before=12, after=12, leading=1.4),
    "TOC Heading": Look("title", 22, "center", after=18, leading=1.4),
    "toc 1": Look("heading", 14, "left", before=6, leading=1.6),
    "toc 2": Look("body", 14, "left", left=2, leading=1.6),
    "Heading 1": Look("heading", 18, "center", before=6, after=12, leading=1.5, keep=140),
    "Heading 2": Look("heading", 16, "left", indent=2, before=6, after=3, leading=1.6, keep=110),
    "Heading 3": Look("body", 16, "left", indent=2, before=3, after=3, leading=1.6, keep=90),
    "Table Number": Look("heading", 12, "left", before=6, leading=1.4, keep=160),
    "Table Title": Look("title", 18, "center", before=4, after=6, leading=1.4, keep=140),
    "Table Meta": Look("table", 10.5, "left", leading=1.4),
    "Body Text": Look("body", 16, "justify", indent=2, leading=1.75),
    "Table Text": Look("table", 10.5, "left", leading=1.25),
    "Signature": Look("body", 16, "right", leading=1.75),
}
DEFAULT_LOOK = Look("body", 12, "left", leading=1.5)
OUTLINE_LEVEL = {"Heading 1": 0, "Heading 2": 1, "Table Title": 1, "Heading 3": 2}
TOC_STYLES = ("toc 1", "toc 2")


FORMATTED = "\0formatted"   # a segs entry: a run with formatting of its own (the markup goes to the parser)
SYNTH_SEG = "\0synthetic"   # a segs entry: a synthetic bold / italic marker, its label as the text
KERN_SEG = "\0kern"   # a segs entry: an autospace kern, "face|size" as the text (autospace.py)


def _leading(line: tuple[str, float] | None, size: float, default: float, face: str) -> float:
    """The distance between baselines: the template's line spacing (exact; at least; a multiple of single,
    single being the face's own line height, fonts.single_line), else the look's."""
    if line is None:
        return size * default
    rule, value = line
    if rule == "exact":
        return value
    if rule == "atLeast":
        return max(value, size * single_line(face))
    return size * single_line(face) * value


def _baseline_drop(rule: str | None, leading: float, size: float) -> float:
    """How much lower than reportlab's (one font size below the line's top) a line's baseline sits with exact
    line spacing: LibreOffice (SwTextFormatter::CalcRealHeight) sets it at 4/5 of the line height
    whatever the face; other rules: none (the font's own metrics decide there). Drawing only: the heights,
    hence the page breaks, stay reportlab's."""
    return 0.8 * leading - size if rule == "exact" else 0.0


def _indents(style: m.Indent | None, own: m.Indent | None, size: float, look: Look | None) -> tuple[float, float, float]:
    """(first line, left, right) in points: the paragraph's own w:ind over its style's, value by value; a value
    in characters (nonzero) wins over points (1 character = the font size); unset: 0. `look`: the style is not in the
    template, so its 公文 look's indents apply unless the paragraph sets its own."""
    if style is None and own is None:
        return (look.indent * size, look.left * size, 0.0) if look is not None else (0.0, 0.0, 0.0)
    merged = [o if o is not None else s for o, s in zip(own or (None,) * 6, style or (None,) * 6)]
    out = []
    for side in (2, 0, 1):   # first line, left, right
        chars, pts = merged[side + 3], merged[side]
        out.append(chars * size if chars else pts if pts is not None else 0.0)
    return out[0], out[1], out[2]


class ParagraphBuilder:
    """Renderer's paragraphs: styles, markup and fragments."""

    doc: m.Document
    fonts: FontSet
    keys: dict[str, str]  # bookmark name → the key of its anchor
    _styles: dict[tuple, ParagraphStyle]  # by _pstyle's arguments

    def _look(self, style: str) -> Look:
        return LOOKS.get(style, DEFAULT_LOOK)

    def _pstyle(self, style: str, align: str | None, size: float | None = None, in_table: bool = False,
                spacing: m.Spacing | None = None) -> ParagraphStyle:
        """The ParagraphStyle of a paragraph style; `spacing` (before, after, line) set on the paragraph
        itself wins over the style's."""
        arg_key = (style, align, size, in_table, spacing)
        ps = self._styles.get(arg_key)  # memo by the arguments
        if ps is not None:
            return ps
        info = self.doc.styles.get(style, _NO_INFO)
        look = self._look(style)
        size = size or info.size or look.size
        align = align or info.align or look.align
        face = self._face(style, look.role).name
        # the template's spacing (the default template states all of it); the look only where a unit's lacks it
        leading = _leading(info.line, size, look.leading, face)
        before = look.before if info.before is None else info.before
        after = look.after if info.after is None else info.after
        own_indent = None
        rule = info.line[0] if info.line else None
        if spacing is not None:
            own_before, own_after, own_line, own_indent = spacing
            before = before if own_before is None else own_before
            after = after if own_after is None else own_after
            leading = leading if own_line is None else _leading(own_line, size, look.leading, face)
            rule = rule if own_line is None else own_line[0]
        first, left, right = (0.0, 0.0, 0.0) if in_table else _indents(
            info.indent, own_indent, size, look if info is _NO_INFO else None)
        color = HexColor(f"#{info.color}") if info.color else _BLACK   # a red heading stays red
        drop = _baseline_drop(rule, leading, size)
        key = (style, align, size, in_table, face, look, leading, before, after, info.color, first, left, right, drop)
        ps = CACHES.styles.get(key)
        if ps is None:
            ps = CACHES.styles.put(key, ParagraphStyle(
                f"{style}-{align}-{size}-{in_table}",
                fontName=face, fontSize=size, leading=leading,
                alignment=_ALIGN.get(align, TA_LEFT), wordWrap="CJK",
                firstLineIndent=first, leftIndent=left, rightIndent=right,
                spaceBefore=0 if in_table else before, spaceAfter=0 if in_table else after,
                allowWidows=0, allowOrphans=0, textColor=color, baseline_drop=drop,
            ))
        self._styles[arg_key] = ps
        return ps

    def _face(self, style: str, role: str) -> Face:
        """The face of a paragraph style (FontSet.for_style)."""
        return self.fonts.for_style(role, self.doc.styles.get(style, _NO_INFO).font)

    def _markup_segs(self, p: m.Paragraph, face_role: str,
                     size: float) -> tuple[str, list[tuple[str | None, str]]]:
        """The paragraph's markup, and the same as (face name, text) pieces: None for text in the
        paragraph's own face (no <font> tag), which _frags turns into the fragments the parser would.
        `size`: the paragraph's font size (the kerns of autospace.py are a fifth of the size of the text
        before them)."""
        face = self._face(p.style if face_role != "table" else "Table Text", face_role)
        style_latin = self._latin(p.style if face_role != "table" else "Table Text")
        style_italic = bool(self.doc.styles.get(p.style, _NO_INFO).italic)
        out: list[str] = []
        segs: list[tuple[str | None, str]] = []
        last = ("", face.name, size)  # the last character so far, its face and size
        for run in p.runs:
            # a face named on the run, as for a style's
            use = self.fonts.for_style(face_role, run.font) if run.font else face
            latin = latin_face(run.latin) if run.latin else style_latin
            # CJK faces have no bold or italic: the run's face drawn bold / slanted (synthetic.py)
            look = label(run.bold, run.italic or style_italic)
            points = kern_points(run.text, last[0], p.autospace) if any(p.autospace) else []
            if points and points[0] == 0:   # after the run before, in its face and size, not in this run's look
                out.append(self._kern(last[1], last[2], segs))
                points = points[1:]
            if look != OFF:
                segs.append((SYNTH_SEG, look))
            if points:
                markup = self._kerned(run.text, points, use, latin, run.size or size, face, segs)
            else:
                markup = self._scripts(run.text, use, latin, face, segs)
            if run.text:
                last = (run.text[-1], use.name, run.size or size)
            if look != OFF:
                segs.append((SYNTH_SEG, OFF))
            if not run.plain:   # its own size, colour, underline: the parser reads it
                attrs = (f' size="{run.size:g}"' if run.size else "") + (f' color="#{run.color}"' if run.color else "")
                markup = f"<font{attrs}>{markup}</font>" if attrs else markup
                markup = f"<u>{markup}</u>" if run.underline else markup
                if run.vert:   # two thirds of the size, raised / lowered a third, as Word prints it
                    base = run.size or self._pstyle(p.style, p.align).fontSize
                    tag = "super" if run.vert == "superscript" else "sub"
                    markup = f'<{tag} size="{base * 2 / 3:.2f}" rise="{base / 3:.2f}">{markup}</{tag}>'
                segs.append((FORMATTED, ""))
            out.append(markup if look == OFF else marker(look) + markup + marker(OFF))
        return "".join(out), segs

    def _kerned(self, text: str, points: list[int], use: Face, latin: Face | None, size: float, face: Face,
                segs: list) -> str:
        """The markup of a run's text with autospace kerns before the characters at `points` (none at 0)."""
        out = []
        covered = latin is None and use.covers(text)   # asked once for the run, not for each piece
        for start, end in zip([0] + points, points + [len(text)]):
            if start:
                out.append(self._kern(use.name, size, segs))
            if latin is None:
                out.append(_font_markup(text[start:end], use, self.fonts.fallback, face, segs, covered))
            else:
                out.append(self._scripts(text[start:end], use, latin, face, segs))
        return "".join(out)

    def _scripts(self, text: str, use: Face, latin: Face | None, face: Face, segs: list) -> str:
        """The markup of a run's text: letters and digits (below U+0080) in the Latin face the template names
        when the machine has it (latin_fonts.py), the rest in `use`, with per-character fallback."""
        if latin is None:
            return _font_markup(text, use, self.fonts.fallback, face, segs)
        return "".join(_font_markup(piece, latin if is_latin else use, self.fonts.fallback, face, segs)
                       for is_latin, piece in split_scripts(text))

    def _latin(self, style: str) -> Face | None:
        """The Latin face of a paragraph style (its w:ascii, else the document defaults'), when installed."""
        name = self.doc.styles.get(style, _NO_INFO).latin
        return latin_face(name) if name else None

    @staticmethod
    def _kern(face: str, size: float, segs: list) -> str:
        """An autospace kern after text in `face` at `size`: its markup, and its segs entry."""
        at = kern_size(face, size)
        if at is None:
            return ""
        segs.append((KERN_SEG, f"{face}|{at}"))
        return kern_markup(face, at)

    def _para(self, markup: str, segs: list[tuple[str | None, str]], style: ParagraphStyle,
              keys: tuple[str, ...] | list[str] = ()) -> CJKParagraph:
        """CJKParagraph(anchors + markup, style), with the fragments built here when the result is
        known to equal the parser's (see _frags); otherwise reportlab parses the markup."""
        anchors = "".join(f'<a name="{k}"/>' for k in keys)
        text = anchors + markup
        if not _clean(text) or (FORMATTED, "") in segs:
            return CJKParagraph(text, style)
        return CJKParagraph(text, style, frags=self._frags(style, segs, keys))

    def _proto(self, style: ParagraphStyle, kind: str, font: str | None) -> ParaFrag:
        """One fragment exactly as reportlab's parser makes it for this style, face and kind
        (text, line break, anchor): its attributes are copied into every fragment built here."""
        key = (id(style), kind, font)  # styles live in CACHES.styles, which forgets protos with them
        proto = CACHES.protos.get(key)
        if proto is None:
            body = {"text": "x", "br": "x<br/>x", "anchor": '<a name="k"/>x', "synth": marker("b") + "x"}.get(kind, "")
            if kind == "kern":   # font: "face|size"
                face, _, at = (font or "").partition("|")
                body = "x" + kern_markup(face, at) + "x"
            elif font is not None:
                body = f'<font name="{font}">{body}</font>'
            frags = Paragraph(body, style).frags
            proto = CACHES.protos.put(key, frags[1] if kind in ("br", "kern") else frags[0])
        return proto

    def _frags(self, style: ParagraphStyle, segs: list[tuple[str | None, str]],
               keys: tuple[str, ...] | list[str]) -> list[ParaFrag]:
        """The fragments reportlab's parser makes of the markup of these pieces (already clean of
        whitespace it would collapse): one per anchor; text in the style's face merges across pieces,
        text in a <font> tag does not; a line break is a fragment of its own; '&', '<', '>' (parsed
        from entities) are each a fragment of their own."""
        out: list[ParaFrag] = []
        for k in keys:
            f = self._proto(style, "anchor", None).clone(link=[], us_lines=[])
            f.cbDefn = ABag(kind="anchor", label="anchor", name=k)
            out.append(f)
        pending: list[str] = []

        def emit(text: str, font: str | None) -> None:
            for i, part in enumerate(text.split("\n")):
                if i:
                    out.append(self._proto(style, "br", font).clone(link=[], us_lines=[]))
                if part:
                    proto = self._proto(style, "text", font)
                    for piece in _ENTITY_SPLIT(part) if _ENTITY_CHARS.search(part) else (part,):
                        if piece:
                            out.append(proto.clone(text=piece, link=[], us_lines=[]))

        for font, text in segs:
            if font is None:
                pending.append(text)
                continue
            if pending:
                emit("".join(pending), None)
                pending.clear()
            if font == KERN_SEG:   # an autospace kern: a space of its own face and size
                out.append(self._proto(style, "kern", text).clone(link=[], us_lines=[]))
                continue
            if font == SYNTH_SEG:   # a synthetic bold / italic marker (synthetic.py)
                out.append(self._proto(style, "synth", None).clone(
                    cbDefn=ABag(kind="onDraw", label=text, name=SYNTH), link=[], us_lines=[]))
                continue
            emit(text, font)
        if pending:
            emit("".join(pending), None)
        return out

    def _paragraph(self, p: m.Paragraph, frame_w: float, marks: list[Callable], keys: list[str]) -> Flowable:
        look = self._look(p.style)
        style = self._pstyle(p.style, p.align, spacing=p.spacing)
        text, segs = self._markup_segs(p, look.role, style.fontSize)
        if not text.strip() and not keys:
            return Spacer(1, style.leading)
        if p.style in TOC_STYLES and p.anchor:
            return self._toc_entry(p, text, segs, style, frame_w)
        para = self._para(text, segs, style, keys)
        para.on_draw = tuple(marks)
        return para

    def _toc_entry(self, p: m.Paragraph, text: str, segs: list[tuple[str | None, str]], style: ParagraphStyle,
                   frame_w: float) -> Flowable:
        text = text.rstrip()  # the tab before Word's PAGEREF field: we draw our own leader and number
        key = self.keys.get(p.anchor or "")
        toc_key = ("toc", id(style))
        toc_style = CACHES.styles.get(toc_key)
        if toc_style is None:
            num_w = stringWidth("000", style.fontName, style.fontSize)
            toc_style = CACHES.styles.put(toc_key, ParagraphStyle(
                f"{style.name}-toc", parent=style, rightIndent=num_w + style.fontSize))
        style = toc_style
        if key is None:  # the anchor names no bookmark: an entry without a page number
            return CJKParagraph(text, style)
        label = f"{key}|{frame_w:.2f}|{style.fontName}|{style.fontSize:g}"
        body = f'<a href="#{key}">{text}</a><onDraw name="brTocEnd" label="{label}"/>'
        raw = "".join(t for _, t in segs).rstrip()
        if all(f is None for f, _ in segs) and raw == text and _clean(text):
            para = CJKParagraph(body, style, frags=self._toc_frags(style, text, key, label))
        else:  # several faces, entities or whitespace the parser collapses: let it parse
            para = CJKParagraph(body, style)
        para.on_draw = (_draw_toc_pending,)  # leaders and number after the text, in reading order
        return para

    def _toc_frags(self, style: ParagraphStyle, text: str, key: str, label: str) -> list[ParaFrag]:
        """The parser's fragments of `<a href="#key">text</a><onDraw name="brTocEnd" label="label"/>`
        for text in the style's face with nothing to unescape or collapse."""
        protos = CACHES.toc_protos.get(id(style))  # the parser's (link text, onDraw) fragments
        if protos is None:
            protos = CACHES.toc_protos.put(id(style), Paragraph(
                '<a href="#k">x</a><onDraw name="brTocEnd" label="l"/>', style).frags)
        link, ondraw = protos
        return [link.clone(text=text, link=[(link.link[0][0], f"#{key}")], us_lines=[]),
                ondraw.clone(cbDefn=ABag(kind="onDraw", label=label, name="brTocEnd"), link=[], us_lines=[])]
