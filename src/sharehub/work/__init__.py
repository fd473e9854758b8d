"""A person's work: what is waiting for them and their agency, by their roles."""
