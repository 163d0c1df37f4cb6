"""The one table reader (weegtool.io.tables.read_table) on files as Dutch offices make them.

Every example is synthetic and one of a kind from issue 11: read right when it is merely
unusual (Excel's Windows-1252 CSV, trailing empty columns and rows, a stray space, an
instructions sheet), refused in one sentence with its place when it cannot be read right.
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import weegtool
from weegtool.errors import HouseError, RatingsError, WeegtoolError
from weegtool.io.tables import read_table

from .conftest import EXAMPLE

INSTRUMENT = weegtool.load_instrument(EXAMPLE)
HEADER = "candidate_id;rater_id;age;consent;er_outbursts;er_recovery;pf_network;er_outbursts.note"
ROWS = ["C1;R1;15;ja;1;2;1;Vader één keer gezien", "C1;R2;15;ja;2;2;1;", "C2;R1;16;ja;0;1;2;"]


def csv_bytes(rows=ROWS, header=HEADER, encoding="utf-8", tail=""):
    return ("\r\n".join([header, *rows]) + "\r\n" + tail).encode(encoding)


def workbook(tmp_path, sheets, name="ratings.xlsx"):
    """``sheets``: sheet name to rows (lists of cells); the first is the active one."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


TABLE = [HEADER.split(";"), *[row.split(";") for row in ROWS]]


# --- read right --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(csv_bytes(encoding="cp1252"), id="excel-csv-windows-1252"),
        pytest.param(csv_bytes(encoding="utf-8-sig"), id="utf-8-with-bom"),
        pytest.param(csv_bytes(encoding="utf-16"), id="excel-unicode-text-utf-16"),
        # charset-normalizer found no encoding for this one (see the README's Choices)
        pytest.param(csv_bytes(rows=ROWS + [f"C{n};R1;15;ja;1;2;1;één keer" for n in range(3, 300)],
                               encoding="cp1252"), id="windows-1252-many-een-keer"),
        pytest.param(csv_bytes(rows=[r + ";;;" for r in ROWS], header=HEADER + ";;;"),
                     id="trailing-empty-columns"),
        pytest.param(csv_bytes(tail=";;;;;;;\r\n;;;;;;;\r\n\r\n"), id="trailing-empty-rows"),
    ],
)  # fmt: skip
def test_a_csv_as_excel_writes_it_is_read_right(tmp_path, content):
    path = tmp_path / "ratings.csv"
    path.write_bytes(content)
    ratings = weegtool.read_ratings(path, INSTRUMENT)
    assert list(ratings.candidate_ids)[:2] == ["C1", "C2"]
    assert ratings.notes[("C1", "er_outbursts")][0].text == "Vader één keer gezien"


def test_the_encoding_is_said_when_it_was_not_utf_8(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes(encoding="cp1252"))
    assert read_table(path)[1] == f"{path} (read as Windows-1252)"
    path.write_bytes(csv_bytes())
    assert read_table(path)[1] == str(path)


@pytest.mark.parametrize(
    "sheets",
    [
        pytest.param({"Uitleg": [["Vul per beoordelaar een rij in."]], "Beoordelingen": TABLE},
                     id="instructions-first-and-a-named-sheet"),
        pytest.param({"Uitleg": [["Vul per beoordelaar een rij in."]], "Blad2": TABLE},
                     id="the-only-sheet-whose-header-fits"),
        pytest.param({"Blad1": [*TABLE, *[[None] * 8] * 40, [None, None, " "]]},
                     id="a-stray-space-far-down"),
    ],
)  # fmt: skip
def test_a_workbook_is_read_from_the_sheet_that_holds_the_ratings(tmp_path, sheets):
    ratings = weegtool.read_ratings(workbook(tmp_path, sheets), INSTRUMENT)
    assert list(ratings.candidate_ids) == ["C1", "C2"] and ratings.values.shape == (2, 3)


def test_a_sheet_can_be_chosen_and_is_named_in_messages(tmp_path):
    bad = [row[:] for row in TABLE]
    bad[2][4] = "7"
    path = workbook(tmp_path, {"Oud": TABLE, "Nieuw": bad})
    with pytest.raises(RatingsError) as caught:
        weegtool.read_ratings(path, INSTRUMENT, sheet="Nieuw")
    assert str(caught.value).startswith(f"{path} (sheet 'Nieuw'): 1 problem")
    assert "row 3, column 'er_outbursts': must be one of 0, 1, 2" in str(caught.value)
    with pytest.raises(
        RatingsError, match=r"has no sheet 'Blad9' with a table; its sheets are 'Oud', 'Nieuw'"
    ):
        weegtool.read_ratings(path, INSTRUMENT, sheet="Blad9")


# --- refused with their place ------------------------------------------------------------------


def test_formula_cells_without_a_stored_value_are_named(tmp_path):
    # openpyxl, like some programs, saves formulas without their computed value
    table = [row[:] for row in TABLE]
    table[1][2], table[2][2] = "=14", "=14"
    path = workbook(tmp_path, {"Blad1": table})
    with pytest.raises(RatingsError) as caught:
        read_table(path)
    assert str(caught.value) == (
        f"{path} (sheet 'Blad1'): cells C2, C3 hold formulas without a stored value (the program "
        "that saved it does not compute them); open and save the file in Excel, or type the values."
    )


def test_a_title_row_above_the_header_is_pointed_at(tmp_path):
    path = workbook(tmp_path, {"Blad1": [["Beoordelingen kwartaal 3"], *TABLE]})
    with pytest.raises(RatingsError) as caught:
        read_table(path)
    assert str(caught.value) == (
        f"{path} (sheet 'Blad1'): the header (with 'candidate_id') is on row 2, not on row 1; "
        "delete the rows above it."
    )


def test_several_sheets_that_fit_are_not_guessed_between(tmp_path):
    path = workbook(tmp_path, {"A": TABLE, "B": TABLE})
    with pytest.raises(RatingsError, match=r"cannot tell which sheet holds the ratings: several"):
        read_table(path)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("ratings.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
         "is an old Excel workbook (.xls) or a password-protected one; save it in Excel as .xlsx "
         "without a password, or as CSV."),
        ("ratings.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
         "is an old Excel workbook (.xls) or a password-protected one"),
        ("ratings.xlsx", b"PK\x03\x04" + b"\x00garbage" * 20,
         "is not a readable Excel workbook (damaged or incomplete"),
        ("ratings.xlsx", csv_bytes(),
         "is named as an Excel workbook but is not one (a CSV renamed?)"),
        ("~$ratings.xlsx", b"\x00" * 165,
         "is the lock file Excel keeps while the workbook is open, not the workbook; read "
         "ratings.xlsx instead."),
        ("ratings.csv", bytes(range(256)) * 4,
         "is not text in UTF-8, Windows-1252 or UTF-16; save it from Excel as 'CSV UTF-8'."),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_readable_table_gets_one_sentence(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RatingsError) as caught:
        weegtool.read_ratings(path, INSTRUMENT)
    assert str(caught.value).startswith(f"{path}") and message in str(caught.value)


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(tmp_path):
    path = workbook(tmp_path, {"Blad1": TABLE}, name="ratings.csv")
    assert list(weegtool.read_ratings(path, INSTRUMENT).candidate_ids) == ["C1", "C2"]


# --- house tables --------------------------------------------------------------------------------

HOUSE_HEADER = "house;capacity;staff_on_duty;age_min;age_max;resident_id;age;flags;main_problem"


def test_a_house_csv_in_windows_1252_is_read_right(tmp_path, twente):
    path = tmp_path / "houses.csv"
    path.write_bytes(
        f"{HOUSE_HEADER}\r\nHuis Önder;4;1;12;23;B-1;16,0;suicide_risk;\r\n;;;;;;;;\r\n".encode(
            "cp1252"
        )
    )
    (house,) = weegtool.load_houses(path, twente)
    assert (house.id, house.capacity, house.residents[0].age) == ("Huis Önder", 4, 16)


def test_house_rows_that_disagree_on_the_house_are_refused_with_both_rows(tmp_path, twente):
    path = tmp_path / "houses.csv"
    path.write_text(
        f"{HOUSE_HEADER}\nhuis-a;4;1;;;B-1;16;;\nhuis-a;1;1;;;B-2;17;;\n", encoding="utf-8"
    )
    with pytest.raises(HouseError) as caught:
        weegtool.load_houses(path, twente)
    assert caught.value.problems == (
        "house 'huis-a': rows 2 and 3 give capacity as 4 and 1; give it the same in every row.",
    )


def test_a_house_yaml_takes_whole_numbers_as_excel_writes_them(tmp_path, twente):
    path = tmp_path / "houses.yaml"
    path.write_text(
        "houses:\n  - id: huis-a\n    capacity: '4,0'\n    residents:\n"
        "      - {id: B-1, age: '16,0'}\n",
        encoding="utf-8",
    )
    (house,) = weegtool.load_houses(path, twente)
    assert (house.capacity, house.residents[0].age) == (4, 16)


# --- never a traceback ---------------------------------------------------------------------------


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda cut, extra: csv_bytes()[:cut] + extra,
            st.integers(0, 200),
            st.binary(max_size=40),
        ),
        st.builds(lambda b: b"PK\x03\x04" + b, st.binary(max_size=200)),
    ),
    name=st.sampled_from(["ratings.csv", "ratings.xlsx", "ratings.txt"]),
)
def test_any_bytes_are_read_or_refused_in_words(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    try:
        weegtool.read_ratings(path, INSTRUMENT)
    except WeegtoolError as exc:
        assert str(exc)


def test_a_level_label_instead_of_its_number_is_refused_with_the_mapping(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes(rows=["C1;R1;15;ja;licht;2;1;"]))
    with pytest.raises(RatingsError) as caught:
        weegtool.read_ratings(path, INSTRUMENT)
    assert caught.value.problems == (
        "row 2, column 'er_outbursts': must be one of 0, 1, 2 or blank when not known; got "
        "'licht' (write the level's number: geen = 0, licht = 1, ernstig = 2).",
    )


# --- found by trying to break the readers --------------------------------------------------------


def test_a_utf_8_file_with_one_stray_byte_is_refused_at_its_line_not_garbled(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes().replace(b"C2;R1;16", b"C2;R1;16\x96"))
    with pytest.raises(RatingsError) as caught:
        read_table(path)
    assert "is UTF-8 but for byte" in str(caught.value) and "on line 4" in str(caught.value)


def test_utf_16_without_its_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes(encoding="utf-16-le"))
    ratings = weegtool.read_ratings(path, INSTRUMENT)
    assert ratings.notes[("C1", "er_outbursts")][0].text == "Vader één keer gezien"


def test_a_header_given_twice_in_a_csv_is_named(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes(header=HEADER.replace("pf_network", "er_recovery")))
    with pytest.raises(RatingsError, match=r"column 'er_recovery' appears more than once"):
        read_table(path)


def test_a_blank_line_in_the_middle_keeps_the_row_numbers_a_spreadsheet_shows(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes(rows=[ROWS[0], "", ROWS[1], ROWS[2].replace(";0;1;2;", ";7;1;2;")]))
    with pytest.raises(RatingsError) as caught:
        weegtool.read_ratings(path, INSTRUMENT)
    assert any(p.startswith("row 5, column 'er_outbursts'") for p in caught.value.problems)


def test_a_hidden_or_chart_sheet_is_not_read(tmp_path):
    from openpyxl.chart import BarChart

    book = openpyxl.Workbook()
    book.active.title = "Blad1"
    for row in TABLE:
        book.active.append(row)
    hidden = book.create_sheet("ratings")
    hidden.append(TABLE[0])
    hidden.append(["C9", "R1", "15", "ja", "0", "0", "0", ""])
    hidden.sheet_state = "hidden"
    book.create_chartsheet("Grafiek").add_chart(BarChart())
    path = tmp_path / "ratings.xlsx"
    book.save(path)
    assert list(weegtool.read_ratings(path, INSTRUMENT).candidate_ids) == ["C1", "C2"]


def test_a_damaged_sheet_inside_a_sound_zip_gets_one_sentence(tmp_path):
    import zipfile

    good = workbook(tmp_path, {"Blad1": TABLE})
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if "worksheets" in item.filename else data)
    with pytest.raises(RatingsError, match=r"is not a readable Excel workbook \(damaged"):
        read_table(damaged)


def test_a_formatted_cell_far_away_does_not_make_a_million_rows(tmp_path):
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    for row in TABLE:
        book.active.append(row)
    book.active.cell(row=1_048_576, column=16_384).font = Font(bold=True)
    path = tmp_path / "ratings.xlsx"
    book.save(path)
    assert read_table(path)[0].shape == (3, 8)


def test_empty_formula_results_from_excel_are_empty_cells_not_missing_values(tmp_path):
    import zipfile

    table = [row[:] for row in TABLE]
    table[1][7] = '=IF(A2="","","")'
    made = workbook(tmp_path, {"Blad1": table})
    excel = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(excel, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "docProps/app.xml":
                data = re.sub(rb"<Application>[^<]*</Application>",
                              b"<Application>Microsoft Excel</Application>", data)  # fmt: skip
            target.writestr(item, data)
    assert read_table(excel)[0].iloc[0, 7] == ""
    with pytest.raises(RatingsError, match="hold formulas without a stored value"):
        read_table(made)  # openpyxl computes nothing


@pytest.mark.parametrize(
    "value, message",
    [
        ("inf", "row 2, column 'age': must be an age in whole years; got 'inf'."),
        ("2026-11-290", None),
    ],
)
def test_an_age_or_date_that_is_no_such_thing_is_refused(tmp_path, value, message):
    path = tmp_path / "ratings.csv"
    column = "age" if message else "date"
    header = HEADER + ";date"
    rows = [r + (";2026-11-29" if column == "age" else f";{value}") for r in ROWS]
    if column == "age":
        rows[0] = rows[0].replace(";15;", f";{value};", 1)
    path.write_bytes(csv_bytes(rows=rows, header=header))
    with pytest.raises(RatingsError) as caught:
        weegtool.read_ratings(path, INSTRUMENT)
    expected = (
        message
        or f"row 2, column 'date': must be a date as YYYY-MM-DD or DD-MM-YYYY; got '{value}'."
    )
    assert expected in caught.value.problems


@pytest.mark.parametrize(
    "text, day",
    [("29-11-2026 10:00", "2026-11-29"), ("2026-11-29 10:00:00", "2026-11-29"),
     ("29-11-0026", None), ("2026-11-29xyz", None)],
)  # fmt: skip
def test_dates_as_offices_write_them_and_nothing_else(text, day):
    from weegtool.candidate import a_date

    read = a_date(text)
    assert (read.isoformat() if hasattr(read, "isoformat") else None) == day


def test_a_house_row_that_says_half_of_something_is_refused(tmp_path, twente):
    path = tmp_path / "houses.csv"
    path.write_text(
        f"{HOUSE_HEADER}\nhuis-a;4;1;12;23;B-101;15;;coping\n"
        "huis-a;4;1;12;23;;16;suicide_risk;emotion_regulation\nhuis-b;4;1;18;;;;;\n",
        encoding="utf-8",
    )
    with pytest.raises(HouseError) as caught:
        weegtool.load_houses(path, twente)
    assert caught.value.problems == (
        "row 3: resident_id is blank, but the row gives age, flags, main_problem; give the "
        "resident's id, or leave the resident's fields blank for a house without residents.",
        "row 4: give both age_min and age_max, or neither.",
    )


def test_a_house_workbook_is_read_as_a_table_and_a_resident_twice_is_refused(tmp_path, twente):
    rows = [HOUSE_HEADER.split(";"), ["huis-a", 4, 1, None, None, "B-1", 16, None, None],
            ["huis-a", 4, 1, None, None, "B-1", 16, None, None]]  # fmt: skip
    path = workbook(tmp_path, {"Huizen": rows}, name="houses.xlsx")
    with pytest.raises(HouseError) as caught:
        weegtool.load_houses(path, twente)
    assert caught.value.problems == ("house 'huis-a': resident 'B-1' is listed more than once.",)


def test_yes_is_no_number_in_a_house_file(tmp_path, twente):
    path = tmp_path / "houses.yaml"
    path.write_text("houses:\n  - id: huis-a\n    capacity: yes\n", encoding="utf-8")
    with pytest.raises(HouseError) as caught:
        weegtool.load_houses(path, twente)
    assert caught.value.problems[0].startswith(
        "line 3: houses[0].capacity: value error, must be a whole number"
    )
