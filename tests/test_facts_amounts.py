"""Issue 12 item 2: amounts reach templates as Amount (Decimal inside); filters print other forms, half-up,
never through float. Expectations are computed here with integer arithmetic on cents."""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from jinja2 import TemplateError

from budgetreport.amounts import Amount, Percent, blank_zero, cell, show_zero, wan, yuan, yuan_sep
from budgetreport.templates import make_env, template_set
from budgetreport.wording import and_list, enum_list
from conftest import UNIT

D = Decimal
# cents of 万元: small, large, negative-free, with every digit count for the thousands groups
CENTS = [0, 1, 5, 9, 10, 99, 100, 1234, 19731, 100000, 999999, 1000000, 12345678, 99999999999, 100000000000]


def grouped(digits: str) -> str:
    """Thousands separators by hand: from the right, a comma every three digits."""
    out = ""
    for i, ch in enumerate(reversed(digits)):
        if i and i % 3 == 0:
            out = "," + out
        out = ch + out
    return out


def wan_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@pytest.mark.parametrize("cents", CENTS)
def test_forms_of_an_amount(cents):
    a = Amount(D(cents) / 100)
    yuan_whole = str(cents * 100)                     # 0.01 万元 = 100 元: 2-place 万元 are whole yuan
    assert str(a) == wan(a) == wan_text(cents)
    assert yuan(a) == yuan_whole and yuan(a, 2) == yuan_whole + ".00"
    assert yuan_sep(a) == grouped(yuan_whole) and yuan_sep(a, 2) == grouped(yuan_whole) + ".00"
    blank = blank_zero(a)
    assert str(blank) == ("" if cents == 0 else wan_text(cents))
    assert yuan_sep(blank) == ("" if cents == 0 else grouped(yuan_whole))
    assert str(show_zero(cell(a.value))) == wan_text(cents)
    assert bool(a) == (cents != 0) and (a == "0.00") == (cents == 0)


@pytest.mark.parametrize("raw, expected", [("0.125", "0.13"), ("2.675", "2.68"), ("0.005", "0.01"),
                                           ("0.0049", "0.00"), ("197.305", "197.31"), ("1.115", "1.12")])
def test_half_up_to_cents(raw, expected):
    assert str(Amount(D(raw))) == expected
    assert yuan(Amount(D(raw))) == str(int(D(expected) * 100) * 100)


def test_percent_and_ordering():
    assert str(Percent(D("4.545"))) == "4.55"           # half-up, not half-even
    assert str(Percent(D("4.54"))) == "4.54"
    assert Amount(D("8")) > 0 and Amount(D("8")) >= Amount(D("8.00")) and not Amount(D("0")) > 0
    assert sorted([Amount(D(x)) for x in ("3", "1", "2")]) == [Amount(D(x)) for x in ("1", "2", "3")]


def test_filters_in_a_template():
    env = make_env(template_set(UNIT))
    render = lambda src, **kw: env.from_string(src).render(**kw)  # noqa: E731
    x = Amount(D("197.31"))
    assert render("{{ x }}|{{ x|wan }}|{{ x|yuan }}|{{ x|yuan_sep }}|{{ x|yuan_sep(2) }}", x=x) == \
        "197.31|197.31|1973100|1,973,100|1,973,100.00"
    assert render("{{ z|blank_zero }}|{{ z|blank_zero|yuan_sep }}|{{ c|show_zero }}", z=Amount(D(0)),
                  c=cell(D(0))) == "||0.00"
    assert render("{% if z %}有{% else %}无{% endif %}{% if x > 100 %}大{% endif %}", z=Amount(D(0)), x=x) == "无大"
    with pytest.raises(TemplateError, match="只能用于金额"):
        render("{{ t|yuan }}", t="二百万")
    with pytest.raises(TemplateError, match="小数位数"):
        render("{{ x|yuan(9) }}", x=x)
    for src in ("{{ x|float }}", "{{ x|int }}", "{{ x|round }}", '{{ "{:,.0f}".format(x|float * 10000) }}'):
        with pytest.raises(TemplateError, match="浮点数"):     # never a silent 0.0: an error naming the fix
            render(src, x=x)
    with pytest.raises(TemplateError, match="加减乘除"):
        render("{{ x * 10000 }}", x=x)


@pytest.mark.parametrize("n", range(0, 6))
def test_lists_two_take_he_three_or_more_take_dun_and_he(n):
    items = [f"项{i}" for i in range(1, n + 1)]
    expected = "、".join(items[:-1]) + "和" + items[-1] if n >= 2 else "".join(items)
    assert and_list(items) == expected
    assert enum_list(items) == "、".join(items)
    env = make_env(template_set(UNIT))
    looped = env.from_string("{% for i in items %}{{ i }}{{ loop|and_sep }}{% endfor %}").render(items=items)
    assert looped == expected


def test_every_combination_of_fiscal_sources_reads_right():
    """四: the sources sentence for each of the 8 combinations, through phrases.j2."""
    from budgetreport.facts import FiscalSource
    env = make_env(template_set(UNIT))
    labels = (("gpb", "一般公共预算"), ("fund", "政府性基金预算"), ("soe", "国有资本经营预算"))
    for arranged in itertools.product((True, False), repeat=3):
        sources = [FiscalSource(key=k, label=l, amount=Amount(D(1 if a else 0)), arranged=a)
                   for (k, l), a in zip(labels, arranged)]
        text = str(env.globals["ph"].fiscal_sources(sources))
        present = [l + "拨款" for (k, l), a in zip(labels, arranged) if a]
        absent = [l + ("" if k == "soe" else "拨款") for (k, l), a in zip(labels, arranged) if not a]

        def join(xs):
            return xs[0] if len(xs) == 1 else "、".join(xs[:-1]) + "和" + xs[-1]
        if not present:
            expected = "无财政拨款收入。"
        else:
            expected = ("收入全部为" if len(present) == 1 else "收入包括") + join(present) + \
                (f"，无{join(absent)}" if absent else "") + "。"
        assert text == expected
