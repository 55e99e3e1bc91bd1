"""Jinja's syntax errors in Chinese, with what to do (its English texts are matched, not shown)."""
from __future__ import annotations

import re
import unicodedata

from jinja2 import TemplateSyntaxError

_PUNCTUATION_FIX = "标签里只能写字段名和运算符；中文文字和标点请写在 {{ }} 或 {% %} 的外面"

# (pattern of Jinja's message, Chinese message, fix); {0}, {1} are the pattern's groups
_RULES: list[tuple[str, str, str]] = [
    (r"unexpected char '([\"'])' at \d+", "引号没有成对（{0}）", "引号要成对，且用英文引号 ' 或 \""),
    (r"unexpected char '(.+?)' at \d+", "标签中有不能出现在这里的字符“{0}”", _PUNCTUATION_FIX),
    (r"Encountered unknown tag '(\w+)'\. Jinja was looking for the following tags: '(\w+)'",
     "遇到了 {{% {0} %}}，但这里应先出现 {{% {1} %}}", "检查 {% %} 命令是否成对、次序是否正确"),
    (r"Encountered unknown tag '(end\w+)'", "多余的 {{% {0} %}}：前面没有与之配对的开头", "删去它，或补上配对的开头命令"),
    (r"Encountered unknown tag '(.+?)'", "“{0}”不是模板命令",
     "{% %} 中只能写 if、elif、else、endif、for、endfor、set 等命令；要印出字段请写 {{ 字段 }}"),
    (r"Unexpected end of template\. Jinja was looking for the following tags: '(\w+)'",
     "有命令没有结束：缺少 {{% {0} %}}", "在这一部分内容结束的地方补上 {% {0} %}"),
    (r"unexpected end of template, expected '(\w+)'", "有命令没有结束：缺少 {{% {0} %}}",
     "在这一部分内容结束的地方补上结束命令"),
    (r"expected token 'end of print statement', got '(.+?)'", "一个 {{{{ }}}} 中写了多于一个字段，或字段名中有空格（在“{0}”处）",
     "一个 {{ }} 里只写一个字段，如 {{ unit.name }}；字段名中不能有空格"),
    (r"expected token 'end of statement block', got '(.+?)'", "命令中“{0}”处写法有误",
     "对照默认模板中的写法，如 {% if unit.subunits %}、{% for p in projects %}"),
    (r"expected token 'in', got '(.+?)'", "for 命令缺少 in（在“{0}”处）", "写成 {% for 变量 in 列表 %}，如 {% for p in projects %}"),
    (r"expected name or number", "“.”后面缺少字段名", "写成 unit.name 这样的形式，点号后面紧跟字段名"),
    (r"unexpected '(.+?)', expected '(.+?)'", "括号没有成对：缺少“{1}”（在“{0}”之前）", "补上“{1}”，或删去多余的左括号"),
    (r"unexpected 'end of print statement'", "标签在运算符处结束了，后面缺少内容", "补全运算，或删去多余的运算符"),
    (r"unexpected '(.+?)'", "多余的“{0}”", "删去它；括号、引号要成对"),
    (r"unexpected end of template", "标签没有写完", "补全标签；括号、引号要成对"),
    (r"tag name expected", "{{% %}} 中缺少命令（如 if、for）", "写成 {% if 条件 %} 或 {% for 变量 in 列表 %}"),
    (r"Expected an expression, got '(.+?)'", "这里缺少字段或条件（遇到了“{0}”）", "在标签中写上字段名，如 {{ unit.name }}"),
    (r"expected token '(.+?)', got '(.+?)'", "标签写法有误：这里应是“{0}”，实为“{1}”", "对照默认模板中的写法修改"),
    (r"unexpected string|unterminated string", "引号没有成对", "引号要成对，且用英文引号 ' 或 \""),
    (r"Block '(.+?)' defined twice|defined twice", "重复定义", "删去重复的一处"),
]


def translate_syntax_error(exc: TemplateSyntaxError, raw: str | None = None) -> tuple[str, str]:
    """(message, fix) in Chinese for a Jinja syntax error; the tag itself prefixes the message when given."""
    text = exc.message or str(exc)
    char = re.search(r"unexpected char '(.)'", text)
    if char and unicodedata.normalize("NFKC", char.group(1)) != char.group(1):
        half = unicodedata.normalize("NFKC", char.group(1)).strip() or "空格"
        found = f"标签中有全角字符“{char.group(1)}”"
        return (f"{raw}：{found}" if raw else found), f"切换到半角（英文）输入，把它改为“{half}”"
    for pattern, message, fix in _RULES:
        match = re.search(pattern, text)
        if match:
            groups = match.groups()
            found = message.format(*groups)
            if "“" in found and any(ord(ch) > 0x2E80 for g in groups for ch in g):
                fix = _PUNCTUATION_FIX
            for i, group in enumerate(groups):
                fix = fix.replace(f"{{{i}}}", group)
            return (f"{raw}：{found}" if raw else found), fix
    return (f"{raw}：标签写法有误" if raw else "标签写法有误"), "对照默认模板中的写法修改；如无法解决，请用 budgetreport templates copy 重新复制默认模板"
