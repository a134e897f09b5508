"""Language facts and language identification."""
