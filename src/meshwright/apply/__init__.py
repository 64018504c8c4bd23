"""`meshwright apply`: make a running system's infrastructure match the model."""
