"""``python -m webserver [--host H] [--port P]``: the web server without the CLI (as ``chordflow webserver``)."""
from __future__ import annotations

import argparse
import logging

from orchestrator.settings import Settings
from webserver.app import DEFAULT_HOST, DEFAULT_PORT, serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m webserver", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(Settings.from_env(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
