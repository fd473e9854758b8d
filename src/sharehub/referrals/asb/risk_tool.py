"""The ASB risk assessment tools (``risk_tools.toml``) and how a completed one
scores: each "yes" adds its question's weight; a "yes" to an urgent question,
or a score at the tool's urgent line, is urgent harm; at its high line, high;
below, low. A person may put the level higher than the answers score, with
their reasons, never lower.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

import msgspec

RISK_TOOLS_FILE = Path(__file__).with_name("risk_tools.toml")

Answer = Literal["yes", "no", "not_known"]
LEVELS = ("low", "high", "urgent")  # in rising order


class Question(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    text: str
    weight: int
    urgent: bool = False


class Tool(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    version: str
    title: str
    citation: str
    in_use: bool
    high_from: int
    urgent_from: int
    question: tuple[Question, ...]

    @property
    def key(self) -> str:
        return f"{self.code}/{self.version}"


class Vulnerabilities(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    citation: str
    words: dict[str, str]


class _File(msgspec.Struct, forbid_unknown_fields=True):
    tool: list[Tool]
    vulnerabilities: Vulnerabilities


class RiskTools(msgspec.Struct, frozen=True):
    tools: dict[str, Tool]  # by "code/version"
    vulnerabilities: Vulnerabilities

    def in_use(self) -> Tool:
        return next(t for t in self.tools.values() if t.in_use)


def load_risk_tools(path: Path = RISK_TOOLS_FILE) -> RiskTools:
    parsed = msgspec.convert(tomllib.loads(path.read_text("utf-8")), _File)
    tools: dict[str, Tool] = {}
    for tool in parsed.tool:
        if tool.key in tools:
            raise ValueError(f"{path.name}: {tool.key} is listed twice")
        codes = [q.code for q in tool.question]
        if not codes or len(set(codes)) != len(codes):
            raise ValueError(f"{path.name}: {tool.key} needs unique question codes")
        if not 0 < tool.high_from < tool.urgent_from:
            raise ValueError(f"{path.name}: {tool.key} needs 0 < high_from < urgent_from")
        tools[tool.key] = tool
    if sum(t.in_use for t in tools.values()) != 1:
        raise ValueError(f"{path.name}: exactly one tool is in use")
    return RiskTools(tools, parsed.vulnerabilities)


@cache
def risk_tools() -> RiskTools:
    return load_risk_tools()


def answer_errors(tool: Tool, answers: Mapping[str, str]) -> list[tuple[str, str]]:
    codes = {q.code for q in tool.question}
    errors = [(f"answers.{c}", "answer every question") for c in sorted(codes - set(answers))]
    errors += [
        (f"answers.{c}", "not a question of this tool") for c in sorted(set(answers) - codes)
    ]
    return errors


def score(tool: Tool, answers: Mapping[str, str]) -> tuple[int, str]:
    """(score, harm level) of a completed assessment."""
    total = sum(q.weight for q in tool.question if answers.get(q.code) == "yes")
    urgent = any(q.urgent and answers.get(q.code) == "yes" for q in tool.question)
    if urgent or total >= tool.urgent_from:
        return total, "urgent"
    return total, "high" if total >= tool.high_from else "low"


def higher(level: str, than: str) -> bool:
    return LEVELS.index(level) > LEVELS.index(than)
