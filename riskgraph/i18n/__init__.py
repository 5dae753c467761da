"""zh-CN and English: the locales, the gettext catalogues and the words for the engine's
data (``render``). Stored data never depends on a locale; only its rendering does."""
