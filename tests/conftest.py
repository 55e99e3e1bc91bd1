"""Shared fixtures: the sample workbook, a built report, a way to edit a copy of the sample, and a templates root
with the defaults in it."""
from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))   # tests/textutil.py

SAMPLE = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
REFERENCE = ROOT / "tests" / "data" / "reference.txt"
UNIT = "昌吉市城市管理指挥中心"
DOCX_NAME = f"{UNIT}2025年单位预算公开.docx"


@pytest.fixture(scope="session", autouse=True)
def disk_cache(tmp_path_factory) -> Iterator[Path]:
    """The persistent cache (budgetreport.diskcache) in a folder of this session, never the user's."""
    from budgetreport import diskcache
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(diskcache.ENV, str(folder))
        yield folder


@pytest.fixture(scope="session")
def sample() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def built_docx(tmp_path_factory) -> Path:
    """The sample built once per session (docx only; PDF tests build their own)."""
    from budgetreport.build import build_report
    out = tmp_path_factory.mktemp("built")
    result = build_report(SAMPLE, out, pdf=False)
    assert result.docx is not None
    return result.docx


def set_field(ws, label: str, value) -> None:
    """Set column B of the key/value row whose column A is `label`."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            ws.cell(row=row[0].row, column=2).value = value
            return
    raise KeyError(label)


@pytest.fixture
def edited(tmp_path) -> Callable[..., Path]:
    """edited(fn, name=...) → path of a copy of the sample after fn(workbook) changed it."""
    def make(fn: Callable[[openpyxl.Workbook], None], name: str = "edited.xlsx") -> Path:
        path = tmp_path / name
        shutil.copy(SAMPLE, path)
        wb = openpyxl.load_workbook(path)
        fn(wb)
        wb.save(path)
        return path
    return make


@pytest.fixture
def root(tmp_path) -> Path:
    """A templates root with the defaults copied into default/."""
    from budgetreport.templates import PACKAGED_DEFAULTS
    root = tmp_path / "templates"
    shutil.copytree(PACKAGED_DEFAULTS, root / "default")
    return root


def unit_report_template(root: Path, edit: Callable, unit: str = UNIT) -> Path:
    """root/<unit>/report.docx: the default report.docx after edit(document) changed it (python-docx)."""
    from docx import Document
    doc = Document(str(root / "default" / "report.docx"))
    edit(doc)
    (root / unit).mkdir(exist_ok=True)
    path = root / unit / "report.docx"
    doc.save(str(path))
    return path
