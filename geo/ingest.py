"""Command ``python -m geo.ingest``: build the local data store (see :mod:`geo.sources.ingest`)."""

import sys

from geo.sources.ingest import main

if __name__ == "__main__":
    sys.exit(main())
