"""The message catalogues: gettext ``.po`` files beside this module, English the source
language (its msgids), compiled in memory with Babel on first use."""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from riskgraph.i18n.locale import Locale

DOMAIN = "riskgraph"
_FILES = {Locale.ZH_CN: "zh_CN.po"}  # English needs none: the msgids are English


@cache
def translations(locale: Locale) -> gettext.NullTranslations:
    """The locale's translations (English: the source strings as they are)."""
    name = _FILES.get(locale)
    if name is None:
        return gettext.NullTranslations()
    with resources.files("riskgraph.i18n").joinpath(name).open("rb") as po:
        catalog = read_po(po, locale=locale.value.replace("-", "_"), domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
