"""Run the development OpenID Provider on its own, with uvicorn.

    python -m sharehub.identity.devprovider --host 127.0.0.1 --port 9000 --config provider.json

The file is a JSON DevProviderConfig. Exits 2 on a bad configuration, and 1
(without reading the file) when SHAREHUB_ENV is production.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgspec
import uvicorn

from sharehub.identity.devprovider.app import create_provider_app, refuse_production
from sharehub.identity.devprovider.schemas import DevProviderConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sharehub.identity.devprovider",
        description="Development-only OpenID Provider with fictional users.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--config", required=True, type=Path, help="JSON DevProviderConfig")
    args = parser.parse_args(argv)

    try:
        refuse_production()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        config = msgspec.json.decode(args.config.read_bytes(), type=DevProviderConfig)
        app = create_provider_app(config)
    except OSError as exc:
        print(f"error: cannot read {args.config}: {exc.strerror}", file=sys.stderr)
        return 2
    except (msgspec.DecodeError, ValueError) as exc:
        print(f"error: {args.config}: {exc}", file=sys.stderr)
        return 2

    uvicorn.run(app, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
