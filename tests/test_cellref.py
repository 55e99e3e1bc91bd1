from openpyxl.utils import get_column_letter
import pytest

from budgetreport.cellref import column_letter


def test_column_letters_match_excel_everywhere():
    for i in range(1, 16385):
        assert column_letter(i) == get_column_letter(i)


def test_bad_index():
    with pytest.raises(ValueError):
        column_letter(0)
