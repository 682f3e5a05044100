"""``python -m geo.actions``."""

from geo.actions.command import main

raise SystemExit(main())
