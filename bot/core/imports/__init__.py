"""Pure import parsers: bytes of a deck file in, a `DeckDraft` (draft.py) out. No DB, no Telegram.

anki.py reads .apkg/.colpkg packages (anki_html.py turns field HTML into Telegram HTML,
anki_template.py renders note-type templates and clozes); text.py reads Quizlet, CSV/TSV and
our deck Markdown.
"""
