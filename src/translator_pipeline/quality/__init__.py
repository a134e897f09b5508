"""The quality gate: cheap per-segment signals and a per-variant decision, no references."""
