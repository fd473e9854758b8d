"""How fast is the lawful-basis engine?

Prints engine decisions per second over the scenario table of
tests/test_lawful_basis.py, against a bare baseline measured in the same run:
building the same DisclosureRequest structs and returning without deciding.

Run: python bench/lawful_basis.py [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sharehub.protocols.engine import decide  # noqa: E402
from sharehub.protocols.gateways import default_rules  # noqa: E402
from test_lawful_basis import SCENARIOS, request_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    rules = default_rules()
    cases = [(s, s.protocols) for s in SCENARIOS]

    start = time.perf_counter()
    for _ in range(args.rounds):
        for scenario, _protocols in cases:
            request_for(scenario)
    baseline = args.rounds * len(cases) / (time.perf_counter() - start)

    start = time.perf_counter()
    for _ in range(args.rounds):
        for scenario, protocols in cases:
            decide(request_for(scenario), protocols, rules)
    engine = args.rounds * len(cases) / (time.perf_counter() - start)

    print(f"scenarios: {len(cases)}, rounds: {args.rounds}")
    print(f"baseline (build the request only): {baseline:12,.0f} /s")
    print(f"engine decisions:                  {engine:12,.0f} /s  ratio {engine / baseline:.3f}")


if __name__ == "__main__":
    main()
