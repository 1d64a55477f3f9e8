"""Uploaded spreadsheets (XLSX or CSV) read safely, and values parsed the way people in Kazakhstan write them.

``read_table`` turns an upload into headings and rows of text, or refuses the whole file with a
``TableError`` whose message tells the user what to do. The format is decided by the content, never
by the file name, because users rename files freely. The ``parse_*`` helpers turn one cell's text
into a value or raise ``ValueError`` with a translated message that callers show next to the line
and column. ``write_xlsx`` and ``write_csv`` produce exports that Excel opens correctly and that
``read_table`` reads back.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

MEGABYTE = 1024 * 1024
# An XLSX file is a zip: its parts may unpack to this many times the upload limit, no more.
UNPACKED_SIZE_FACTOR = 20

ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A password-protected .xlsx is an OLE2 container holding this stream, not an old .xls.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
OTHER_BINARY_SIGNATURES = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BINARY_PROBE_BYTES = 4096
CSV_DELIMITERS = ",;\t"
SNIFF_LINES = 20
SAMPLE_CHARACTERS = 64 * 1024
WORKBOOK_PARTS = {"[Content_Types].xml", "xl/workbook.xml"}


class TableError(Exception):
    """The whole file is refused; ``message`` is a translated, specific, user-facing sentence."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    format: str
    encoding: str | None
    headers: list[str]
    rows: list[Row]


def normalise_header(text: str) -> str:
    """The form of a heading that callers compare: "  Full   Name *" and "full name:" are the same."""
    return " ".join(text.casefold().split()).rstrip("*: ")


def read_table(data: bytes, *, max_bytes: int, max_rows: int) -> Table:
    """Read an uploaded XLSX or CSV file into headings and non-empty rows, or refuse it."""
    if not data:
        raise TableError(_("The file is empty."))
    if len(data) > max_bytes:
        raise TableError(_("The file is larger than %(limit)s MB.") % {"limit": _megabytes(max_bytes)})
    if data.startswith(ZIP_SIGNATURE):
        _check_workbook_archive(data, max_bytes=max_bytes)
        with closing(_xlsx_lines(data)) as lines:
            return _table("xlsx", None, lines, max_rows=max_rows)
    _refuse_non_text(data)
    text, encoding = _decode(data)
    with closing(_csv_lines(text)) as lines:
        return _table("csv", encoding, lines, max_rows=max_rows)


def _megabytes(size: int) -> str:
    megabytes = round(size / MEGABYTE, 1)
    return number_format(int(megabytes) if megabytes.is_integer() else megabytes)


def _check_workbook_archive(data: bytes, *, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            # zipfile never inflates a member past its declared size, so the declared sizes bound
            # everything read from the archive, here and in openpyxl.
            if sum(member.file_size for member in members) > UNPACKED_SIZE_FACTOR * max_bytes:
                limit = _megabytes(UNPACKED_SIZE_FACTOR * max_bytes)
                raise TableError(_("The workbook unpacks to more than %(limit)s MB.") % {"limit": limit})
            if "xl/workbook.bin" in names:
                raise TableError(
                    _("The binary Excel format (.xlsb) is not accepted. Save the file as .xlsx or CSV.")
                )
            if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
                raise TableError(
                    _("OpenDocument spreadsheets (.ods) are not accepted. Save the file as .xlsx or CSV.")
                )
            if not WORKBOOK_PARTS.issubset(names):
                raise TableError(_("This archive is not an Excel workbook: upload an .xlsx or CSV file."))
            content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise TableError(_damaged_workbook()) from error
    has_macros = any(name.casefold().endswith("vbaproject.bin") for name in names)
    if has_macros or b"macroenabled" in content_types.lower():
        raise TableError(
            _(
                "The file contains macros. Save it as an ordinary .xlsx workbook without macros "
                "and upload it again."
            )
        )


def _damaged_workbook():
    return _("The workbook is damaged and cannot be read. Open it in Excel, save it again and upload it.")


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    # openpyxl raises whatever its zip and XML layers raise on a malformed part; for an uploaded
    # file every one of those means the same thing to the user: the workbook is damaged.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:
        raise TableError(_damaged_workbook()) from error
    try:
        if not workbook.worksheets:
            raise TableError(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        # Some programs write a wrong used range; without this, read-only mode would cut rows short.
        sheet.reset_dimensions()
        # Missing rows come back as empty tuples, so counting from 1 gives the sheet's row numbers.
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in cells]
    except TableError:
        raise
    except Exception as error:
        raise TableError(_damaged_workbook()) from error
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_text(value)
    return str(value).strip()


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    # Excel keeps 15 significant digits; more would show binary noise such as 0.30000000000000004.
    return format(value, ".15g")


def _refuse_non_text(data: bytes) -> None:
    if data.startswith(OLE2_SIGNATURE):
        if ENCRYPTED_PACKAGE in data:
            raise TableError(
                _("The file is protected with a password. Remove the password and upload it again.")
            )
        raise TableError(_("The old Excel format (.xls) is not accepted. Save the file as .xlsx or CSV."))
    if data.startswith(UTF16_BOMS):
        raise TableError(_utf8_advice())
    if data.startswith(OTHER_BINARY_SIGNATURES) or b"\x00" in data[:BINARY_PROBE_BYTES]:
        raise TableError(_("This is not a spreadsheet: upload an .xlsx or CSV file."))
    # Some accounting systems save web pages or XML under a spreadsheet's name.
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        raise TableError(
            _(
                "The file is a web page or XML document, not a spreadsheet. Open it in Excel "
                "and save it as .xlsx."
            )
        )


def _utf8_advice():
    return _("The file's text encoding is not recognised. Save it as “CSV UTF-8” and upload it again.")


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Excel on Russian and Kazakh Windows saves "CSV" in the Windows Cyrillic code page.
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError as error:
        raise TableError(_utf8_advice()) from error
    if not _looks_cyrillic(text[:SAMPLE_CHARACTERS]):
        raise TableError(_utf8_advice())
    return text, "cp1251"


def _looks_cyrillic(text: str) -> bool:
    # The bytes were not UTF-8, so some are non-ASCII. Without a Cyrillic letter it is another code
    # page; and Western text read as cp1251 turns its accents into Cyrillic letters inside Latin
    # words ("Josй", "Zьrich"), which real Russian or Kazakh text only does by the odd typo.
    cyrillic = cyrillic_in_latin_words = 0
    for word in re.findall(r"[^\W\d_]+", text):
        letters = sum(1 for letter in word if "\u0400" <= letter <= "\u04ff")
        cyrillic += letters
        if letters and re.search("[a-zA-Z]", word):
            cyrillic_in_latin_words += letters
    return cyrillic > 0 and cyrillic_in_latin_words * 2 <= cyrillic


def _csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True)
    line = 1
    try:
        for cells in reader:
            yield line, [cell.strip() for cell in cells]
            # A quoted value may span lines; the next row starts after the last line read.
            line = reader.line_num + 1
    except csv.Error as error:
        raise TableError(
            _("Line %(line)s cannot be read: check the quotation marks in it.") % {"line": line}
        ) from error


def _sniff_delimiter(text: str) -> str:
    sample_lines = text[:SAMPLE_CHARACTERS].splitlines()[:SNIFF_LINES]
    try:
        return csv.Sniffer().sniff("\n".join(sample_lines), delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        header = sample_lines[0] if sample_lines else ""
        counts = {delimiter: header.count(delimiter) for delimiter in CSV_DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _table(
    file_format: str, encoding: str | None, lines: Iterator[tuple[int, list[str]]], *, max_rows: int
) -> Table:
    for _line, heading_cells in lines:
        if any(heading_cells):
            break
    else:
        raise TableError(_("The file has no heading row: the first filled row must name the columns."))
    headings = [normalise_header(cell) for cell in heading_cells]
    if not any(headings):
        raise TableError(_("The heading row has no column names."))
    seen = set()
    for raw, heading in zip(heading_cells, headings, strict=True):
        if heading in seen:
            raise TableError(_("The heading “%(heading)s” appears more than once.") % {"heading": raw})
        if heading:
            seen.add(heading)

    rows = []
    for line, cells in lines:
        if not any(cells):
            continue
        if len(rows) == max_rows:
            raise TableError(_("The file has more than %(limit)s rows.") % {"limit": max_rows})
        for index, cell in enumerate(cells):
            if not cell:
                continue
            if index >= len(headings):
                raise TableError(
                    _("Line %(line)s has a value in column %(column)s, beyond the last heading.")
                    % {"line": line, "column": _column_letters(index)}
                )
            if not headings[index]:
                raise TableError(
                    _("Column %(column)s has values but no heading.") % {"column": _column_letters(index)}
                )
        values = {
            heading: cells[index] if index < len(cells) else ""
            for index, heading in enumerate(headings)
            if heading
        }
        rows.append(Row(line=line, values=values))
    return Table(
        format=file_format, encoding=encoding, headers=[heading for heading in headings if heading], rows=rows
    )


def _column_letters(index: int) -> str:
    """The spreadsheet name of the column at a zero-based index: A, B, …, Z, AA, AB, …"""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# Value parsers


def _shown(text: str) -> str:
    """The user's value as quoted back in a message, cut short so a pasted essay stays readable."""
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


KAZAKH_MONTHS = (
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
)
RUSSIAN_MONTHS = (
    ("январь", "января"),
    ("февраль", "февраля"),
    ("март", "марта"),
    ("апрель", "апреля"),
    ("май", "мая"),
    ("июнь", "июня"),
    ("июль", "июля"),
    ("август", "августа"),
    ("сентябрь", "сентября"),
    ("октябрь", "октября"),
    ("ноябрь", "ноября"),
    ("декабрь", "декабря"),
)
ENGLISH_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_NUMBERS = {
    **{name: number for number, name in enumerate(KAZAKH_MONTHS, start=1)},
    **{name: number for number, names in enumerate(RUSSIAN_MONTHS, start=1) for name in names},
    **{name: number for number, name in enumerate(ENGLISH_MONTHS, start=1)},
    **{name[:3]: number for number, name in enumerate(ENGLISH_MONTHS, start=1)},
    "sept": 9,
}
# Kazakh months take case endings: наурызда, наурызға, наурыздың, сәуірдегі.
KAZAKH_MONTH_ENDING_LETTERS = 4

_YEAR_WORD = r"(?: ?(?:жылғы|жылы|жыл|ж|года|год|г)\.?)?"
_MONTH_WORD = r"(?P<month>[^\W\d_]+)\.?"
NUMERIC_DATE_FORMS = (
    re.compile(
        r"(?P<year>\d{4})(?P<separator>[-./])(?P<month>\d{1,2})(?P=separator)(?P<day>\d{1,2})"
        r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    ),
    re.compile(
        r"(?P<day>\d{1,2})(?P<separator>[-./])(?P<month>\d{1,2})(?P=separator)(?P<year>\d{4}|\d{2})"
        + _YEAR_WORD
    ),
)
WORD_DATE_FORMS = (
    re.compile(rf"(?P<day>\d{{1,2}}) {_MONTH_WORD} (?P<year>\d{{4}}){_YEAR_WORD}"),
    re.compile(rf"(?P<year>\d{{4}}){_YEAR_WORD} (?P<day>\d{{1,2}}) {_MONTH_WORD}"),
    re.compile(rf"{_MONTH_WORD} (?P<day>\d{{1,2}}) (?P<year>\d{{4}})"),
)
QUOTE_MARKS = str.maketrans("", "", '«»"“”„')


# On a Russian keyboard layout people type қ as к, ү as у and so on: "кантар", "кыркуйек".
KAZAKH_LETTERS_ON_RUSSIAN_KEYBOARD = str.maketrans("әғқңөұүһі", "агкноуухи")


def _month_number(word: str) -> int | None:
    if word in MONTH_NUMBERS:
        return MONTH_NUMBERS[word]
    typed = word.translate(KAZAKH_LETTERS_ON_RUSSIAN_KEYBOARD)
    for number, stem in enumerate(KAZAKH_MONTHS, start=1):
        ending = typed.removeprefix(stem.translate(KAZAKH_LETTERS_ON_RUSSIAN_KEYBOARD))
        if ending != typed and len(ending) <= KAZAKH_MONTH_ENDING_LETTERS:
            return number
    return None


def _full_year(year: str) -> int:
    if len(year) == 4:
        return int(year)
    short = int(year)
    return 2000 + short if short <= 69 else 1900 + short


def parse_date(text: str) -> date:
    """A date written as 12.03.2024, 2024-03-12, 12 наурыз 2024 ж., 12 марта 2024 г. or 12 March 2024."""
    cleaned = " ".join(text.casefold().translate(QUOTE_MARKS).replace(",", " ").split()).rstrip(".")
    if not cleaned:
        raise ValueError(_("A date is required."))
    parts = None
    for form in NUMERIC_DATE_FORMS:
        if match := form.fullmatch(cleaned):
            parts = (_full_year(match["year"]), int(match["month"]), int(match["day"]))
            break
    else:
        for form in WORD_DATE_FORMS:
            if (match := form.fullmatch(cleaned)) and (month := _month_number(match["month"])):
                parts = (int(match["year"]), month, int(match["day"]))
                break
    if parts is None:
        raise ValueError(_("“%(value)s” is not a date: write it as 31.12.2024.") % {"value": _shown(text)})
    try:
        return date(*parts)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a real calendar date.") % {"value": _shown(text)}) from None


TRUE_WORDS = {"иә", "ия", "иа", "да", "yes", "y", "true", "1", "+", "✓", "✔"}
# "жок" is how жоқ comes out on a Russian keyboard layout.
FALSE_WORDS = {"жоқ", "жок", "нет", "no", "n", "false", "0", "-"}


def parse_bool(text: str) -> bool:
    """Yes or no, in Kazakh, Russian or English, or as 1/0, +/-."""
    word = text.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    if not word:
        raise ValueError(_("A yes or no answer is required."))
    raise ValueError(_("“%(value)s” is not yes or no.") % {"value": _shown(text)})


# At most two zeros after the decimal mark: "1,000" is a thousand to some and one to others.
WHOLE_NUMBER = re.compile(
    r"(?P<digits>[+-]?(?:\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+))(?:[.,]0{1,2})?", re.ASCII
)


def parse_int(text: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number, also written as 15.0 or 15,0 by a spreadsheet, or with thousands spaced: 1 500."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError(_("A whole number is required."))
    match = WHOLE_NUMBER.fullmatch(cleaned)
    try:
        number = int(re.sub(r"\s", "", match["digits"])) if match else None
    except ValueError:  # more digits than Python converts: no real count is that large
        number = None
    if number is None:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": _shown(text)})
    too_small = minimum is not None and number < minimum
    too_large = maximum is not None and number > maximum
    if not (too_small or too_large):
        return number
    bounds = {"value": number, "minimum": minimum, "maximum": maximum}
    if minimum is not None and maximum is not None:
        raise ValueError(_("The number must be from %(minimum)s to %(maximum)s, not %(value)s.") % bounds)
    if too_small:
        raise ValueError(_("The number must be at least %(minimum)s, not %(value)s.") % bounds)
    raise ValueError(_("The number must be at most %(maximum)s, not %(value)s.") % bounds)


def _choice_key(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def parse_choice(text: str, choices: dict[str, str]) -> str:
    """The stored value whose spelling matches: ``{"chair": "chair|төраға|председатель"}``."""
    wanted = _choice_key(text)
    if wanted:
        for stored, spellings in choices.items():
            if wanted in {_choice_key(spelling) for spelling in (stored, *spellings.split("|"))}:
                return stored
    accepted = ", ".join(choices)
    if not wanted:
        raise ValueError(_("A value is required: one of %(choices)s.") % {"choices": accepted})
    raise ValueError(
        _("“%(value)s” is not accepted here: use one of %(choices)s.")
        % {"value": _shown(text), "choices": accepted}
    )


# Writers


def _local_naive(value: datetime) -> datetime:
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def write_xlsx(headers: list[str], rows: Iterable[Sequence[object]], *, sheet_title: str = "Kenes") -> bytes:
    """An .xlsx workbook with one sheet; rows are streamed, so large exports stay small in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.append([_xlsx_cell(sheet, heading) for heading in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    # Excel forbids these characters in sheet names and keeps at most 31 characters.
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31]
    return cleaned or "Kenes"


def _xlsx_cell(sheet, value: object) -> object:
    if value is None or isinstance(value, bool | int | float | Decimal | date | time | timedelta):
        return _local_naive(value) if isinstance(value, datetime) else value
    # Text is always stored as text: a citizen's "=HYPERLINK(…)" must never become a live formula.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"
    return cell


def write_csv(headers: list[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV in UTF-8 with a byte order mark, so Excel shows Cyrillic correctly on double-click."""
    return b"".join(csv_chunks(headers, rows))


def csv_chunks(
    headers: list[str], rows: Iterable[Sequence[object]], rows_per_chunk: int = 2000
) -> Iterator[bytes]:
    """``write_csv`` as a stream of byte chunks, for a streaming response: a national export of a
    million rows never sits in memory."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([_csv_text(heading) for heading in headers])
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if n % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# Harmless leading signs: numbers and phone numbers such as +7 (701) 123-45-67.
PLAIN_SIGNED_TEXT = re.compile(r"[+-][\d\s().,-]*")


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local_naive(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    # Excel runs a cell starting with these as a formula; the apostrophe makes it plain text.
    first = text[:1]
    if first in ("=", "@", "\t", "\r") or (first in ("+", "-") and not PLAIN_SIGNED_TEXT.fullmatch(text)):
        return "'" + text
    return text
