"""Fill translations into the kk/ru catalogues and list what is still missing.

    .venv/bin/python scripts/po_fill.py                 # list untranslated and fuzzy messages
    .venv/bin/python scripts/po_fill.py new.json        # apply {"kk": {msgid: text or [forms]}, "ru": {...}}

Applying clears the fuzzy flag of the filled messages; run `make makemessages` first.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parents[1] / "src" / "kenes" / "locale"


def missing(message) -> bool:
    if not message.id:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return message.fuzzy or not all(strings)


def main() -> None:
    updates = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
    for language in ("kk", "ru"):
        path = LOCALE / language / "LC_MESSAGES" / "django.po"
        with open(path, "rb") as handle:
            catalogue = read_po(handle)
        table = updates.get(language, {})
        for message in catalogue:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if key in table:
                value = table[key]
                message.string = tuple(value) if isinstance(value, list) else value
                message.flags.discard("fuzzy")
                message.previous_id = []
        if table:
            with open(path, "wb") as handle:
                write_po(handle, catalogue, width=100, include_previous=False)
        for message in catalogue:
            if missing(message):
                print(f"{language}\t{message.id!r}\t{message.string!r}")


if __name__ == "__main__":
    main()
