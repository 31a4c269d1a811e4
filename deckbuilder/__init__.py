"""deckbuilder: interview-prep markdown guides -> Anki decks."""

__version__ = "0.1.0"
