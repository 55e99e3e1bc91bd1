"""Templates without limits (issue 13 item 4): range sizes, repetition, format widths, loop items, output size and
a deadline per render, each a Chinese error naming the template file; the default report stays within them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from budgetreport import template_sandbox as TS
from budgetreport.build import build_report
from budgetreport.errors import BudgetError
from budgetreport.templates import PACKAGED_DEFAULTS, _new_env
from conftest import SAMPLE, UNIT, unit_report_template

BIG = 3_000_000_000


def _env() -> TS.BoundedSandbox:
    return _new_env(PACKAGED_DEFAULTS / "phrases.j2")


def _render(source: str, **context) -> str:
    env = _env()
    return env.render(env.from_string(source), context)


# (template, which bound) — each would take minutes or gigabytes without the bound
HOSTILE = [
    ("{{ 'x' * %d }}" % BIG, "text"),
    ("{{ %d * 'x' }}" % BIG, "text"),
    ("{{ 'ab' * n }}", "text"),
    ("{{ ([1] * 2000000)|length }}", "text"),
    ("{{ (('a',) * 5000000)|length }}", "text"),
    ("{{ '%%%dd' %% 1 }}" % 999_999_999, "text"),
    ("{{ '%%.%df' %% 1 }}" % 50_000_000, "text"),
    ("{{ '%*d' % (n, 1) }}", "text"),
    ("{{ '%%%dd'|format(1) }}" % 999_999_999, "text"),
    ("{{ '{:>%d}'.format('x') }}" % 999_999_999, "text"),
    ("{{ '{:{}}'.format('x', n) }}", "text"),
    ("{{ 'x'.center(n) }}", "text"),
    ("{{ 'x'.ljust(%d) }}" % BIG, "text"),
    ("{{ 'x'.zfill(n) }}", "text"),
    ("{{ 'x'|center(n) }}", "text"),
    ("{{ 'a\nb'|indent(n) }}", "text"),
    ("{{ 10 ** 100000000 }}", "text"),
    ("{{ 7 ** n }}", "text"),
    ("{{ range(100001)|length }}", "range"),
    ("{{ range(0, n)|length }}", "range"),
    ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "loop"),
    ("{% set r = range(5000)|list %}{% for i in r %}{% for j in r %}{{ j }}{% endfor %}{% endfor %}", "loop"),
    ("{% for i in range(2000) %}{% for j in range(2000) %}{% if j > 1 %}{% endif %}{% endfor %}{% endfor %}",
     "loop"),
    ("{% macro m(k) %}{% for i in range(k) %}{{ i }}{% endfor %}{% endmacro %}"
     "{% for j in range(5000) %}{{ m(1000) }}{% endfor %}", "loop"),
    ("{% set x = 'y' * 900000 %}{% for i in range(100) %}{{ x }}{% endfor %}", "output"),
]


@pytest.mark.parametrize("source,kind", HOSTILE)
def test_each_bound_stops_the_render(source: str, kind: str) -> None:
    with pytest.raises(TS.RenderLimit) as info:
        _render(source, n=BIG)
    assert info.value.kind == kind
    assert "已停止" in info.value.message


@pytest.mark.parametrize("source,expected", [
    ("{{ 'ab' * 3 }}", "ababab"), ("{{ '%5d' % 42 }}", "   42"), ("{{ '%.2f'|format(1.005) }}", "1.00"),
    ("{{ '{:>6}'.format('x') }}", "     x"), ("{{ 'x'.center(5) }}", "  x  "), ("{{ 2 ** 10 }}", "1024"),
    ("{{ range(3)|join(',') }}", "0,1,2"), ("{% for i in range(3) %}{{ i }}{% endfor %}", "012"),
    ("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;"), ("{{ [1, 2] * 2 }}", "[1, 2, 1, 2]"),
    ("{% for i in [] %}x{% else %}空{% endfor %}", "空"),
    ("{% for i in range(4) if i is odd %}{{ loop.index }}{{ i }}{% endfor %}", "1123"),
])
def test_ordinary_template_code_still_works(source: str, expected: str) -> None:
    assert _render(source, d={"a": 1}) == expected


def test_the_deadline_is_checked_inside_loops_calls_and_output() -> None:
    """A deadline already passed: the render stops at its first check, wherever the work is."""
    for source in ["{% for i in range(5000) %}{% endfor %}", "{% for i in range(3000) %}{{ d.a }}{% endfor %}",
                   "{% for i in range(3000) %}{{ i }}{% endfor %}"]:
        env = _env()
        with pytest.raises(TS.RenderLimit) as info, env.limits(seconds=0):
            env.render(env.from_string(source), {"d": {"a": 1}})
        assert info.value.kind == "time" and "超过 0 秒" in info.value.message


def test_the_loop_count_is_per_render() -> None:
    env = _env()
    source = "{% for i in range(9000) %}{% endfor %}"
    for _ in range(3 * TS.MAX_ITERATIONS // 9000):        # many renders, each within the bound
        env.render(env.from_string(source), {})


@pytest.mark.parametrize("where", ["report.docx", "phrases.j2"])
@pytest.mark.parametrize("tag,fix", [
    ("{{ 'x' * 3000000000 }}", "不要用 * 或很大的宽度"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "range"),
    ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "循环"),
])
def test_a_hostile_unit_template_fails_naming_its_file(root: Path, tmp_path: Path, where: str, tag: str,
                                                       fix: str) -> None:
    if where == "report.docx":
        unit_report_template(root, lambda doc: doc.add_paragraph(f"说明：{tag}。", style="Body Text"))
    else:
        (root / UNIT).mkdir()
        phrases = (root / "default" / "phrases.j2").read_text(encoding="utf-8")
        edited = re.sub(r"(\{%-?\s*macro \w+\([^)]*\)\s*-?%\})", lambda m: m.group(1) + tag, phrases)
        assert edited != phrases
        (root / UNIT / "phrases.j2").write_text(edited, encoding="utf-8")    # every macro starts with the tag
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    message = str(info.value)
    assert str(root / UNIT / where) in message and "已停止" in message and fix in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_render_over_its_time_fails_naming_the_template(root: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TS, "RENDER_SECONDS", 0.0)
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    message = str(info.value)
    assert "report.docx" in message and "模板运行超过 0 秒，已停止" in message and "循环" in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
