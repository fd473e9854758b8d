"""The disclosure gate: every personal datum leaving its agency passes here.

``gate.py`` builds every view of subjects for a viewer: the lawful-basis
engine and the consent, sharing decisions and overrides on record decide each
field, the redactor builds the view, and each disclosure is recorded with its
ledger entry in the read's transaction. Disclosure checks (``service.py``) ask
the engine "may I share this?" without sharing anything.
"""
