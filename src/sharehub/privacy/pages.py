"""Pages for people, consent, sharing decisions and safeguarding overrides."""

ROUTES: list[object] = []
