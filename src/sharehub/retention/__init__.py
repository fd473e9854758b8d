"""Retention: how long each kind of record is kept, legal holds, and the purge."""
