"""Domain errors: raised by services, turned into problem details by the web layer.

They carry no HTTP types and no personal data: messages name fields and rules,
never values.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    """No such record, or none the caller may know exists."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"no such {kind}")
        self.kind = kind


class Forbidden(DomainError):
    """The caller may see the record but this step is not theirs to take (a
    referrer screening their own referral): the reason names the role that may."""


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, illegal state change)."""


class StaleVersion(DomainError):
    """The caller's copy is out of date: someone else changed the record since."""

    def __init__(self, kind: str, current_version: int | None = None) -> None:
        super().__init__(
            f"the {kind} has changed since you read it; fetch it again and reapply your change"
        )
        self.current_version = current_version


class VersionRequired(DomainError):
    """A change to a shared record must say which version it was made against."""

    def __init__(self) -> None:
        super().__init__(
            'send If-Match with the ETag you read (for example If-Match: "3")', field="If-Match"
        )


class BadRequest(DomainError):
    """The request is malformed in a way the type checks could not catch."""


class Unprocessable(DomainError):
    """Well formed, but values break a rule (a postcode, a check digit, a date
    in the future). Names every field at fault, never the value."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {r}" for f, r in errors), field=errors[0][0])
        self.errors = errors


class UpstreamUnavailable(DomainError):
    """A service we depend on (an identity provider) is down or answered nonsense."""
