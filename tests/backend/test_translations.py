"""Russian is complete: no untranslated or fuzzy message, and the compiled catalogue is current."""

from pathlib import Path

import polib
from django.conf import settings


def test_russian_catalogue_is_complete_and_compiled():
    folder = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr for entry in polib.mofile(str(folder / "django.mo"))
    }
    stale = [
        entry.msgid
        for entry in po.translated_entries()
        if compiled.get((entry.msgctxt, entry.msgid)) != entry.msgstr
    ]
    assert stale == [], "run `make messages` and commit locale/"
