"""Chinese texts for the command line, through the hooks typer and gettext offer (no library is modified).

- typer's help panels ("Arguments", "Options", "[required]", "Error", …) are marked for gettext: our catalog
  `locale/zh_CN/LC_MESSAGES/messages.mo` (made by tools/make_catalog.py) translates them once `use_chinese()` has
  bound it, before typer loads its help module.
- The usage prefix and the help option's text are not marked for translation in typer's copy of click, so our
  own command and group classes (subclasses, passed to typer as `cls`) write them.
"""
from __future__ import annotations

import gettext
import os
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
HELP_TEXT = "显示本帮助并退出。"
USAGE_PREFIX = "用法："

# msgid (as typer writes it) → Chinese; tools/make_catalog.py writes these into the .mo file
CATALOG = {
    "Arguments": "参数",
    "Options": "选项",
    "Commands": "命令",
    "[required]": "[必填]",
    "[default: {}]": "[默认：{}]",
    "[env var: {}]": "[环境变量：{}]",
    "(deprecated) ": "（已弃用）",
    "Error": "错误",
    "Aborted.": "已中止。",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}


def use_chinese() -> None:
    """Called by the program's entry point (our own process): gettext's default domain reads our catalog."""
    os.environ["LANGUAGE"] = "zh_CN"
    gettext.bindtextdomain("messages", str(LOCALE_DIR))


def _help_in_chinese(option: Any) -> Any:
    if option is not None:
        option.help = HELP_TEXT
    return option


class ChineseCommand(TyperCommand):
    def get_help_option(self, ctx: Any) -> Any:
        return _help_in_chinese(super().get_help_option(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)


class ChineseGroup(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        return _help_in_chinese(super().get_help_option(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)


class ChineseTyper(typer.Typer):
    """A Typer whose groups and commands use the classes above unless told otherwise."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", ChineseGroup)
        super().__init__(**kwargs)

    def command(self, *args: Any, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or ChineseCommand, **kwargs)
