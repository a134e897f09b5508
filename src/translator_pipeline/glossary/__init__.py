"""The institutional glossary: model and matcher, loading, checks, TBX, enforcement,
pinned segments, the translators' review."""
