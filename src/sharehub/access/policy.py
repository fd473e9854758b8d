"""The Casbin enforcer over policies/, with a decision cache that is never stale.

Loading is strict: every policy line must read ``p, <role>, <kind>, <verb>``
with a known role, and the model must pass a self-test (each line allows its
own role in its own agency and hub-wide, and nobody else, and not in another
agency) before the hub will start. A policy that might fail open stops the
process instead.

Role assignments live in the database. A counter in ``access_state`` goes up
in the same transaction as any change to them; every request compares it with
the version this process loaded and reloads when it differs. Decisions are
cached per (user, domain, action) and the cache is dropped on every reload, so
a revocation made by one worker denies the next request in any other.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from pathlib import Path

import casbin

from sharehub.access.roles import Role

log = logging.getLogger("sharehub.access")
# Casbin logs the whole model each time an enforcer is built.
logging.getLogger("casbin").setLevel(logging.WARNING)

HUB_DOMAIN = "hub"
_KIND = r"[a-z][a-z0-9-]{0,40}"
_VERB = r"[a-z][a-z0-9:-]{0,60}"
_LINE = re.compile(rf"^p, ([a-z_]+), ({_KIND}), ({_VERB})$")
ACTION = re.compile(rf"^{_KIND}:{_VERB}$")


class PolicyError(RuntimeError):
    """The policy files cannot be trusted; the hub refuses to start."""


def default_policies_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "policies"


def read_policy_lines(path: Path) -> list[tuple[str, str, str]]:
    lines = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror}") from None
    roles = {role.value for role in Role}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        found = _LINE.match(line)
        if found is None:
            raise PolicyError(f"{path.name} line {number}: not of the form 'p, role, kind, verb'")
        role, kind, verb = found.groups()
        if role not in roles:
            raise PolicyError(f"{path.name} line {number}: unknown role {role!r}")
        lines.append((role, kind, verb))
    if not lines:
        raise PolicyError(f"{path.name} allows nothing")
    return lines


def subject(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}"


def domain_of(agency_id: uuid.UUID | None) -> str:
    return HUB_DOMAIN if agency_id is None else str(agency_id)


_PROVEN: set[tuple[str, tuple[tuple[str, str, str], ...]]] = set()


class AccessPolicy:
    def __init__(self, policies_dir: Path | None = None) -> None:
        directory = policies_dir or default_policies_dir()
        model = directory / "model.conf"
        if not model.is_file():
            raise PolicyError(f"no Casbin model at {model} (set SHAREHUB_POLICIES_DIR)")
        self.model_path = str(model)
        self.lines = read_policy_lines(directory / "policy.csv")
        # The self-test costs lines² enforcer walks: once per model and policy
        # per process (every app a test suite builds shares the result).
        proven = (model.read_text(), tuple(self.lines))
        if proven not in _PROVEN:
            self._self_test()
            _PROVEN.add(proven)
        self.enforcer = self._new_enforcer([])
        self.version: int | None = None
        self._cache: dict[tuple[str, str, str], bool] = {}

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(f"{kind}:{verb}" for _, kind, verb in self.lines)

    def roles_allowed(self, action: str) -> frozenset[str]:
        kind, _, verb = action.partition(":")
        return frozenset(role for role, k, v in self.lines if (k, v) == (kind, verb))

    def _new_enforcer(self, links: list[list[str]]) -> casbin.Enforcer:
        """A fresh enforcer: the model, every policy line, and these role links.

        Built whole and swapped in, rather than edited link by link, so a reload
        is all-or-nothing.
        """
        try:
            enforcer = casbin.Enforcer(self.model_path)
            enforcer.add_policies([list(line) for line in self.lines])
            if links:
                enforcer.add_grouping_policies(links)
            return enforcer
        except Exception as exc:  # casbin raises many kinds for a bad model
            raise PolicyError(f"the Casbin model cannot be loaded: {exc}") from None

    def _self_test(self) -> None:
        """Prove on probe subjects that the model allows exactly what the lines say."""
        probe_agency, other_agency = "probe-agency", "probe-other-agency"
        links = []
        for role, _, _ in self.lines:
            links.append([f"probe:{role}:local", role, probe_agency])
            links.append([f"probe:{role}:hub", role, HUB_DOMAIN])
        enforcer = self._new_enforcer([list(x) for x in dict.fromkeys(map(tuple, links))])
        try:
            for role, kind, verb in self.lines:
                local, hub = f"probe:{role}:local", f"probe:{role}:hub"
                checks = [
                    (local, probe_agency, True),
                    (hub, probe_agency, True),
                    (local, other_agency, False),
                    ("probe:nobody", probe_agency, False),
                ]
                for who, where, expected in checks:
                    if enforcer.enforce(who, where, kind, verb) is not expected:
                        raise PolicyError(
                            f"the model does not decide {role} {kind}:{verb} as the policy says"
                        )
                if enforcer.enforce(local, probe_agency, kind, verb + "-probe-unlisted"):
                    raise PolicyError("the model allows an action no line grants")
        except PolicyError:
            raise
        except Exception as exc:
            raise PolicyError(f"the Casbin model fails its self-test: {exc}") from None

    def load_assignments(self, version: int, assignments: Iterable[tuple[str, str, str]]) -> None:
        """Replace every role link with ``assignments`` (user id, role, domain)."""
        rules = sorted({(subject(user), role, domain) for user, role, domain in assignments})
        self.enforcer = self._new_enforcer([list(rule) for rule in rules])
        self._cache.clear()
        self.version = version

    def allowed(self, user_id: uuid.UUID, domain: str, action: str) -> bool:
        """Deny by default: an unknown action or any error is a refusal."""
        key = (str(user_id), domain, action)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            kind, _, verb = action.partition(":")
            decision = bool(self.enforcer.enforce(subject(user_id), domain, kind, verb))
        except Exception:
            log.exception("access check failed; denying")
            return False
        self._cache[key] = decision
        return decision
