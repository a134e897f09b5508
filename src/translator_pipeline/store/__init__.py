"""The state database (SQLite or PostgreSQL) behind :class:`StateStore`."""
