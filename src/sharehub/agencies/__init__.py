"""Partner agencies: the organisations that share information through the hub."""
