"""Documents the platform sends to other systems: the eForms contract notice (TED)."""
