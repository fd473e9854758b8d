"""The append-only, tamper-evident ledger of disclosures, consent events and overrides."""
