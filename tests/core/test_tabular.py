"""Reading uploaded spreadsheets safely, parsing values as people in Kazakhstan write them, writing exports."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from kenes.core.tabular import (
    TableError,
    normalise_header,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    read_table,
    write_csv,
    write_xlsx,
)

MEGABYTE = 1024 * 1024


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their English source text, whatever translations exist.
    with translation.override("en"):
        yield


def xlsx_bytes(*rows, extra_sheet_rows=None):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if extra_sheet_rows:
        other = workbook.create_sheet("Other")
        for row in extra_sheet_rows:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data, *, add=None, replace=None):
    """The same archive with members added or their content replaced."""
    add, replace = add or {}, replace or {}
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            target.writestr(member.filename, replace.get(member.filename, source.read(member.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return buffer.getvalue()


def csv_bytes(text, encoding="utf-8"):
    return text.encode(encoding)


def read(data, *, max_bytes=MEGABYTE, max_rows=100):
    return read_table(data, max_bytes=max_bytes, max_rows=max_rows)


def refusal(data, **limits):
    with pytest.raises(TableError) as error:
        read(data, **limits)
    return str(error.value.message)


# Headings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ФИО", "фио"),
        ("  Full   Name *", "full name"),
        ("Дата заседания:", "дата заседания"),
        ("Туған\u00a0күні *", "туған күні"),
        ("Email", "email"),
        ("*", ""),
        ("", ""),
    ],
)
def test_headings_are_normalised(text, expected):
    assert normalise_header(text) == expected


# XLSX


def test_xlsx_cells_become_text():
    data = xlsx_bytes(
        ["Full name *", "Date:", "Members", "Share", "Active", "Started"],
        ["  Асель Нұрланқызы ", date(2024, 3, 12), 15.0, 2.5, True, datetime(2024, 3, 12, 10, 30)],
        ["Болат", datetime(2024, 3, 13), 7, 0.1 + 0.2, False, None],
    )

    table = read(data)

    assert (table.format, table.encoding) == ("xlsx", None)
    assert table.headers == ["full name", "date", "members", "share", "active", "started"]
    assert table.rows[0].line == 2
    assert table.rows[0].values == {
        "full name": "Асель Нұрланқызы",
        "date": "2024-03-12",
        "members": "15",
        "share": "2.5",
        "active": "true",
        "started": "2024-03-12 10:30:00",
    }
    assert table.rows[1].values == {
        "full name": "Болат",
        "date": "2024-03-13",
        "members": "7",
        "share": "0.3",
        "active": "false",
        "started": "",
    }


def test_xlsx_heading_row_is_the_first_filled_row_and_lines_are_sheet_rows():
    data = xlsx_bytes(
        [], [None, None], ["Name", "City"], ["Асель", "Алматы"], [], [None, "  "], ["Болат", "Астана"]
    )

    table = read(data)

    assert table.headers == ["name", "city"]
    assert [(row.line, row.values["name"]) for row in table.rows] == [(4, "Асель"), (7, "Болат")]


def test_xlsx_is_read_from_the_first_worksheet_only():
    data = xlsx_bytes(["Name"], ["Асель"], extra_sheet_rows=[["Other"], ["ignored"]])

    table = read(data)

    assert table.headers == ["name"]
    assert [row.values for row in table.rows] == [{"name": "Асель"}]


def test_xlsx_short_rows_give_empty_text_for_missing_cells():
    data = xlsx_bytes(["Name", "City", "Phone"], ["Асель"])

    assert read(data).rows[0].values == {"name": "Асель", "city": "", "phone": ""}


def test_empty_workbook_is_refused_for_lack_of_headings():
    assert "no heading row" in refusal(xlsx_bytes())


def test_format_is_detected_by_content_whatever_the_name():
    # read_table gets no file name at all: a CSV renamed to .xlsx is still read as CSV.
    assert read(csv_bytes("Name\nАсель\n")).format == "csv"
    assert read(xlsx_bytes(["Name"], ["Асель"])).format == "xlsx"


@pytest.mark.parametrize(
    "how",
    ["vba project and macro content type", "vba project only", "macro content type only"],
)
def test_macro_enabled_workbook_is_refused(how):
    data = xlsx_bytes(["Name"], ["Асель"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content_types = archive.read("[Content_Types].xml")
    macro_types = content_types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert macro_types != content_types
    add = {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake vba"} if how != "macro content type only" else {}
    replace = {"[Content_Types].xml": macro_types} if how != "vba project only" else {}

    message = refusal(rezip(data, add=add, replace=replace))

    assert message == (
        "The file contains macros. Save it as an ordinary .xlsx workbook without macros and upload it again."
    )


def test_old_xls_is_refused():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000

    assert refusal(data) == "The old Excel format (.xls) is not accepted. Save the file as .xlsx or CSV."


def test_password_protected_workbook_is_refused_as_such():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")

    assert "protected with a password" in refusal(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"Name,City\n" + b"\x00\x01\x02" * 10,
    ],
    ids=["pdf", "png", "jpeg", "nul bytes"],
)
def test_documents_and_images_are_refused(data):
    assert refusal(data) == "This is not a spreadsheet: upload an .xlsx or CSV file."


def test_web_page_saved_as_spreadsheet_is_refused():
    data = b"\xef\xbb\xbf  <html><body><table><tr><td>Name</td></tr></table></body></html>"

    assert "web page or XML document" in refusal(data)


def test_utf16_text_is_refused_with_advice_to_save_as_utf8():
    data = "Name\tCity\nАсель\tАлматы\n".encode("utf-16")

    assert "CSV UTF-8" in refusal(data)


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    assert refusal(buffer.getvalue()) == "This archive is not an Excel workbook: upload an .xlsx or CSV file."


def test_opendocument_spreadsheet_is_refused_as_such():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")

    assert "(.ods) are not accepted" in refusal(buffer.getvalue())


def test_truncated_workbook_is_refused_as_damaged():
    data = xlsx_bytes(["Name"], ["Асель"])

    assert "damaged" in refusal(data[: len(data) // 2])


def test_workbook_with_unreadable_parts_is_refused_as_damaged():
    data = xlsx_bytes(["Name"], ["Асель"])

    assert "damaged" in refusal(rezip(data, replace={"xl/workbook.xml": b"this is not xml"}))


def test_workbook_with_corrupted_sheet_data_is_refused_as_damaged():
    data = bytearray(xlsx_bytes(["Name", "City"], *[[f"Person {n}", "Алматы"] for n in range(200)]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    name_and_extra = len(sheet.filename.encode()) + int.from_bytes(
        data[sheet.header_offset + 28 : sheet.header_offset + 30], "little"
    )
    start = sheet.header_offset + 30 + name_and_extra
    middle = start + sheet.compress_size // 2
    data[middle : middle + 16] = bytes(byte ^ 0xFF for byte in data[middle : middle + 16])

    assert "damaged" in refusal(bytes(data))


def test_zip_bomb_is_refused():
    zeros = b"\x00" * (50 * MEGABYTE)
    data = rezip(xlsx_bytes(["Name"], ["Асель"]), add={"xl/media/image1.png": zeros})
    assert len(data) < MEGABYTE  # the upload itself is small: only unpacking would be huge

    assert refusal(data, max_bytes=MEGABYTE) == "The workbook unpacks to more than 20 MB."


def test_zip_member_that_inflates_beyond_its_declared_size_is_refused():
    data = xlsx_bytes(["Name"], ["Асель"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    data = bytearray(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet_xml + b" " * (50 * MEGABYTE)}))
    # Claim the original size in both the local header and the central directory.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    claimed = len(sheet_xml).to_bytes(4, "little")
    data[member.header_offset + 22 : member.header_offset + 26] = claimed
    central = data.rindex(member.filename.encode()) - 46  # the central directory comes last
    data[central + 24 : central + 28] = claimed

    assert "damaged" in refusal(bytes(data), max_bytes=MEGABYTE)


# CSV


def test_cp1251_csv_is_decoded():
    text = "ФИО;Должность\r\nЖумабаева Асель;председатель\r\nПётр Иванов;член совета\r\n"

    table = read(csv_bytes(text, "cp1251"))

    assert (table.format, table.encoding) == ("csv", "cp1251")
    assert table.headers == ["фио", "должность"]
    assert [row.values for row in table.rows] == [
        {"фио": "Жумабаева Асель", "должность": "председатель"},
        {"фио": "Пётр Иванов", "должность": "член совета"},
    ]


@pytest.mark.parametrize(
    "text",
    ["Name,City\nJosé,Zürich\nFrançois,Genève\n", "Reading,Unit\n20,°C ± 0.5\n"],
    ids=["accented letters", "symbols only"],
)
def test_western_legacy_encoding_is_refused(text):
    data = csv_bytes(text, "cp1252")

    assert (
        refusal(data)
        == "The file's text encoding is not recognised. Save it as “CSV UTF-8” and upload it again."
    )


def test_cp1251_csv_with_a_stray_latin_letter_is_still_decoded():
    # "Ивaнов" has a Latin "a", a common typo that must not make the file look Western.
    table = read(csv_bytes("ФИО;Город\nИвaнов Сергей;Караганда\nАсель Жумабаева;Алматы\n", "cp1251"))

    assert table.encoding == "cp1251"
    assert table.rows[0].values["фио"] == "Ивaнов Сергей"


def test_utf8_csv_with_byte_order_mark_is_decoded():
    data = b"\xef\xbb\xbf" + csv_bytes("Аты-жөні,Қала\nӘсел Нұрланқызы,Шымкент\n")

    table = read(data)

    assert table.encoding == "utf-8"
    assert table.headers == ["аты-жөні", "қала"]
    assert table.rows[0].values == {"аты-жөні": "Әсел Нұрланқызы", "қала": "Шымкент"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_csv_delimiter_is_detected(delimiter):
    text = delimiter.join(["ФИО", "Дата", "Сумма"]) + "\n"
    text += delimiter.join(["Асель", "12.03.2024", "2 500"]) + "\n"
    text += delimiter.join(["Болат", "13.03.2024", "100"]) + "\n"

    table = read(csv_bytes(text))

    assert table.headers == ["фио", "дата", "сумма"]
    assert table.rows[0].values == {"фио": "Асель", "дата": "12.03.2024", "сумма": "2 500"}


def test_semicolon_csv_with_decimal_commas_is_split_on_semicolons():
    table = read(csv_bytes("ФИО;Доля\nАсель;2,5\nБолат;3,75\n"))

    assert [row.values for row in table.rows] == [
        {"фио": "Асель", "доля": "2,5"},
        {"фио": "Болат", "доля": "3,75"},
    ]


def test_single_column_csv_is_read():
    table = read(csv_bytes("Email\na@example.kz\nb@example.kz\n"))

    assert table.headers == ["email"]
    assert [row.values["email"] for row in table.rows] == ["a@example.kz", "b@example.kz"]


def test_quoted_newline_keeps_line_numbers_of_later_rows():
    text = 'Name,Comment\r\nАсель,"first line\r\nsecond line, with a comma"\r\nБолат,ok\r\n\r\nДина,"a ""quoted"" word"\r\n'

    table = read(csv_bytes(text))

    assert [row.line for row in table.rows] == [2, 4, 6]
    assert table.rows[0].values["comment"] == "first line\r\nsecond line, with a comma"
    assert table.rows[2].values["comment"] == 'a "quoted" word'


def test_unbalanced_quote_is_refused_with_its_line():
    text = 'Name,Comment\nАсель,ok\nБолат,"never closed\nДина,ok\n'

    assert refusal(csv_bytes(text)) == "Line 3 cannot be read: check the quotation marks in it."


# Limits and heading problems


def test_empty_file_is_refused():
    assert refusal(b"") == "The file is empty."


def test_file_larger_than_the_limit_is_refused():
    data = csv_bytes("Name\n" + "Асель\n" * (MEGABYTE // 10))
    assert len(data) > MEGABYTE

    assert refusal(data, max_bytes=MEGABYTE) == "The file is larger than 1 MB."


def test_file_of_exactly_the_size_limit_is_accepted():
    data = csv_bytes("Name\nАсель\n")

    assert read(data, max_bytes=len(data)).rows


def test_more_rows_than_the_limit_are_refused():
    data = csv_bytes("Name\n" + "".join(f"Person {number}\n" for number in range(11)))

    assert refusal(data, max_rows=10) == "The file has more than 10 rows."


def test_empty_rows_do_not_count_towards_the_row_limit():
    data = xlsx_bytes(["Name"], *[[f"Person {number}"] if number % 2 else [] for number in range(20)])

    assert len(read(data, max_rows=10).rows) == 10


@pytest.mark.parametrize("data", [b"\n\n  \n", b"\xef\xbb\xbf", b",,\n,,\n"], ids=["blank", "bom", "commas"])
def test_file_without_heading_row_is_refused(data):
    assert "no heading row" in refusal(data)


def test_heading_row_of_marks_only_is_refused():
    assert refusal(csv_bytes("*,:\n1,2\n")) == "The heading row has no column names."


def test_duplicate_headings_are_refused_naming_the_heading():
    data = xlsx_bytes(["ФИО", "Дата", "фио *"], ["Асель", "12.03.2024", "Асель"])

    assert refusal(data) == "The heading “фио *” appears more than once."


def test_values_under_an_empty_heading_are_refused_naming_the_column():
    data = csv_bytes("Name,City,,Phone\nАсель,Алматы,,\nБолат,Астана,oops,\n")

    assert refusal(data) == "Column C has values but no heading."


def test_empty_column_without_heading_is_ignored():
    table = read(xlsx_bytes(["Name", None, "City"], ["Асель", None, "Алматы"]))

    assert table.headers == ["name", "city"]
    assert table.rows[0].values == {"name": "Асель", "city": "Алматы"}


def test_extra_empty_cells_beyond_the_headings_are_ignored():
    table = read(csv_bytes("Name,City\nАсель,Алматы,,\n"))

    assert table.rows[0].values == {"name": "Асель", "city": "Алматы"}


def test_extra_values_beyond_the_headings_are_refused_with_the_line():
    data = csv_bytes("Name,City\nАсель,Алматы\nБолат,Астана,,extra\n")

    assert refusal(data) == "Line 3 has a value in column D, beyond the last heading."


def test_columns_are_named_with_spreadsheet_letters_in_messages():
    data = csv_bytes(",".join(["Name"] + [""] * 27) + "\n" + ",".join(["Асель"] + [""] * 26 + ["x"]) + "\n")

    assert refusal(data) == "Column AB has values but no heading."


def test_xlsx_values_far_right_of_the_headings_are_refused():
    data = xlsx_bytes(["Name", "City"], ["Асель", "Алматы", None, None, None, None, None, None, "stray"])

    assert refusal(data) == "Line 2 has a value in column I, beyond the last heading."


# Dates


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-12",
        "2024-03-12 00:00:00",
        "2024-03-12T10:30",
        "12.03.2024",
        "12/03/2024",
        "12-03-2024",
        "12.03.24",
        " 12.03.2024. ",
        "12.03.2024 г.",
        "12.03.2024г",
        "12 наурыз 2024",
        "12 Наурыз 2024 ж.",
        "12 наурыз 2024 ж",
        "12 наурыз 2024 жыл",
        "12 наурыз 2024 жылы",
        "2024 жылғы 12 наурыз",
        "2024 ж. 12 наурыз",
        "2024 ж. 12 наурызда",
        "2024 жылғы 12 наурыздағы",
        "12 наурызға 2024",
        "12 наурыздың 2024",
        "12  марта   2024",
        "12 марта 2024 г.",
        "12 марта 2024 г",
        "12 марта 2024 года",
        "«12» марта 2024 г.",
        "12 март 2024",
        "12 МАРТА 2024",
        "12 March 2024",
        "March 12, 2024",
        "12 Mar 2024",
        "12 mar. 2024",
        "march 12 2024",
    ],
)
def test_dates_are_parsed_in_the_forms_people_write(text):
    assert parse_date(text) == date(2024, 3, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.3.2024", date(2024, 3, 1)),
        ("01.03.69", date(2069, 3, 1)),
        ("01.03.70", date(1970, 3, 1)),
        ("31.12.99", date(1999, 12, 31)),
        ("1.1.00", date(2000, 1, 1)),
        ("29.02.2024", date(2024, 2, 29)),
    ],
)
def test_numeric_dates_are_day_first_and_two_digit_years_pivot_at_69(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("month", "number"),
    [
        ("қаңтар", 1),
        ("ақпан", 2),
        ("наурыз", 3),
        ("сәуір", 4),
        ("мамыр", 5),
        ("маусым", 6),
        ("шілде", 7),
        ("тамыз", 8),
        ("қыркүйек", 9),
        ("қазан", 10),
        ("қараша", 11),
        ("желтоқсан", 12),
        ("шілдеде", 7),
        ("сәуірдегі", 4),
        ("желтоқсанның", 12),
        ("қыркүйектің", 9),
        ("кантар", 1),
        ("кыркуйек", 9),
        ("января", 1),
        ("январь", 1),
        ("февраля", 2),
        ("апреля", 4),
        ("мая", 5),
        ("май", 5),
        ("июня", 6),
        ("июля", 7),
        ("августа", 8),
        ("сентября", 9),
        ("октября", 10),
        ("ноября", 11),
        ("декабрь", 12),
        ("декабря", 12),
        ("January", 1),
        ("Sept", 9),
        ("Dec", 12),
    ],
)
def test_every_month_name_is_recognised(month, number):
    assert parse_date(f"5 {month} 2025") == date(2025, number, 5)


@pytest.mark.parametrize("text", ["31.02.2024", "29.02.2023", "32.01.2024", "12.13.2024", "31 сәуір 2024"])
def test_impossible_calendar_dates_are_refused(text):
    with pytest.raises(ValueError) as error:
        parse_date(text)

    assert str(error.value) == f"“{text}” is not a real calendar date."


@pytest.mark.parametrize(
    "text",
    [
        "12.03",
        "2024",
        "12.03.2024 10:30",
        "12/03-2024",
        "12 наурызбайұлы 2024",
        "12 марток 2024",
        "12 наурыз 24",
        "tomorrow",
        "12.03.20245",
    ],
)
def test_unrecognised_dates_are_refused_with_an_example(text):
    with pytest.raises(ValueError) as error:
        parse_date(text)

    assert str(error.value) == f"“{text}” is not a date: write it as 31.12.2024."


def test_empty_date_is_refused():
    with pytest.raises(ValueError, match="A date is required."):
        parse_date("  ")


def test_long_text_is_cut_short_in_messages():
    with pytest.raises(ValueError) as error:
        parse_date("not a date " * 20)

    assert len(str(error.value)) < 100
    assert "…" in str(error.value)


# Yes/no, numbers, choices


@pytest.mark.parametrize(
    "text", ["иә", "Иә", "ия", "иа", "да", "ДА", "yes", "Y", "true", "1", "+", "✓", " yes "]
)
def test_yes_words_are_true(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["жоқ", "Жоқ", "жок", "нет", "no", "N", "false", "FALSE", "0", "-"])
def test_no_words_are_false(text):
    assert parse_bool(text) is False


def test_empty_yes_no_answer_is_refused():
    with pytest.raises(ValueError, match="A yes or no answer is required."):
        parse_bool("")


def test_unknown_yes_no_answer_is_refused_quoting_it():
    with pytest.raises(ValueError) as error:
        parse_bool("maybe")

    assert str(error.value) == "“maybe” is not yes or no."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15", 15),
        ("15.0", 15),
        ("15,00", 15),
        (" 15 ", 15),
        ("-3", -3),
        ("1 500", 1500),
        ("1\u00a0500", 1500),
    ],
)
def test_whole_numbers_are_parsed(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["15.5", "abc", "1,000", "1 5", "15.000", "1e3", "۱۵"])
def test_other_numbers_are_refused(text):
    with pytest.raises(ValueError) as error:
        parse_int(text)

    assert str(error.value) == f"“{text}” is not a whole number."


def test_empty_number_is_refused():
    with pytest.raises(ValueError, match="A whole number is required."):
        parse_int("")


@pytest.mark.parametrize(
    ("text", "bounds", "message"),
    [
        ("0", {"minimum": 1, "maximum": 50}, "The number must be from 1 to 50, not 0."),
        ("51", {"minimum": 1, "maximum": 50}, "The number must be from 1 to 50, not 51."),
        ("0", {"minimum": 1}, "The number must be at least 1, not 0."),
        ("101", {"maximum": 100}, "The number must be at most 100, not 101."),
    ],
)
def test_numbers_out_of_bounds_are_refused_naming_the_bounds(text, bounds, message):
    with pytest.raises(ValueError) as error:
        parse_int(text, **bounds)

    assert str(error.value) == message


def test_numbers_on_the_bounds_are_accepted():
    assert parse_int("1", minimum=1, maximum=50) == 1
    assert parse_int("50", minimum=1, maximum=50) == 50


ROLES = {
    "chair": "chair|төраға|председатель",
    "secretary": "secretary|хатшы|секретарь",
    "member": "member|мүше|член совета",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chair", "chair"),
        ("Төраға", "chair"),
        ("  ПРЕДСЕДАТЕЛЬ ", "chair"),
        ("хатшы", "secretary"),
        ("член   совета", "member"),
        ("member", "member"),
    ],
)
def test_choices_match_any_spelling(text, expected):
    assert parse_choice(text, ROLES) == expected


def test_choices_ignore_the_difference_between_yo_and_ye():
    assert parse_choice("Пётр", {"petr": "петр"}) == "petr"
    assert parse_choice("Петр", {"petr": "пётр"}) == "petr"


def test_choice_accepts_the_stored_value_even_when_not_listed_as_a_spelling():
    assert parse_choice("observer", {"observer": "бақылаушы|наблюдатель"}) == "observer"


def test_unknown_choice_is_refused_listing_the_accepted_values():
    with pytest.raises(ValueError) as error:
        parse_choice("guest", ROLES)

    assert str(error.value) == "“guest” is not accepted here: use one of chair, secretary, member."


def test_empty_choice_is_refused_listing_the_accepted_values():
    with pytest.raises(ValueError) as error:
        parse_choice("", ROLES)

    assert str(error.value) == "A value is required: one of chair, secretary, member."


# Writers


EXPORT_HEADERS = ["ФИО", "Дата заседания", "Голосов", "Доля", "Присутствовал", "Примечание"]
EXPORT_ROWS = [
    ["Әсел Нұрланқызы", date(2024, 3, 12), 7, 2.5, True, "Қазақ тілінде"],
    ["Пётр Иванов", None, 0, 1.0, False, None],
]
EXPECTED_VALUES = [
    {
        "фио": "Әсел Нұрланқызы",
        "дата заседания": "2024-03-12",
        "голосов": "7",
        "доля": "2.5",
        "присутствовал": "true",
        "примечание": "Қазақ тілінде",
    },
    {
        "фио": "Пётр Иванов",
        "дата заседания": "",
        "голосов": "0",
        "доля": "1",
        "присутствовал": "false",
        "примечание": "",
    },
]


def test_xlsx_export_reads_back():
    table = read(write_xlsx(EXPORT_HEADERS, EXPORT_ROWS))

    assert table.format == "xlsx"
    assert table.headers == [normalise_header(heading) for heading in EXPORT_HEADERS]
    assert [row.values for row in table.rows] == EXPECTED_VALUES


def test_xlsx_export_stores_dates_as_dates_and_is_named():
    data = write_xlsx(["Date"], [[date(2024, 3, 12)]], sheet_title="Отчёт: 2024/03")

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Отчёт  2024 03"
    assert sheet["A2"].is_date
    assert sheet["A2"].value == datetime(2024, 3, 12)


def test_xlsx_export_keeps_formula_like_text_as_text():
    data = write_xlsx(["Comment"], [['=HYPERLINK("http://example.com","x")'], ["bad\x07char"]])

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://example.com","x")'
    assert sheet["A3"].value == "badchar"


def test_xlsx_export_writes_aware_datetimes_in_local_time():
    moment = datetime(2024, 3, 12, 5, 30, tzinfo=UTC)

    with timezone.override(dt_timezone(timedelta(hours=5))):
        table = read(write_xlsx(["At"], [[moment]]))

    assert table.rows[0].values == {"at": "2024-03-12 10:30:00"}


def test_csv_export_reads_back():
    data = write_csv(EXPORT_HEADERS, iter(EXPORT_ROWS))

    table = read(data)

    assert data.startswith(b"\xef\xbb\xbf")
    assert (table.format, table.encoding) == ("csv", "utf-8")
    assert [row.values for row in table.rows] == EXPECTED_VALUES


def test_csv_export_uses_commas_and_iso_dates():
    moment = datetime(2024, 3, 12, 5, 30, tzinfo=UTC)

    with timezone.override(dt_timezone(timedelta(hours=5))):
        data = write_csv(["Day", "At", "Note"], [[date(2024, 3, 12), moment, "a, b"]])

    assert data.decode("utf-8-sig") == 'Day,At,Note\r\n2024-03-12,2024-03-12 10:30:00,"a, b"\r\n'


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("+7 (701) 123-45-67", "+7 (701) 123-45-67"),
        ("-", "-"),
        ("-15", "-15"),
        ("", ""),
        ("Асель", "Асель"),
    ],
)
def test_csv_export_defuses_formulas_but_keeps_numbers_and_phones(text, written):
    data = write_csv(["Value"], [[text]])

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1] == [written]
