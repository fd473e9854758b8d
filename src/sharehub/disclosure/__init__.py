"""The disclosure gate: every personal datum leaving its agency passes here.

For now: disclosure checks, which ask the lawful-basis engine "may I share
this?" without sharing anything. Consent, redaction and the audit ledger join
the gate in later steps.
"""
