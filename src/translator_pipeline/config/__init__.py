"""Settings: one validated object from TOML and ``TP_*`` variables, built at the edge."""
