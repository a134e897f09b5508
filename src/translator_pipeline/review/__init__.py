"""The translators' loop: review files (XLIFF, TMX) out, approved segments back in."""
