"""Data subjects' identity (encrypted per field), consent receipts and redaction."""
