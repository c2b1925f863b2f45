"""Everything that touches SQLite or the document folder lives here and only here."""
