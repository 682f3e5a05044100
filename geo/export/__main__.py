"""``python -m geo.export``."""

import sys

from geo.export.command import main

sys.exit(main())
