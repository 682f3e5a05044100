"""Command ``python -m geo.serve [streamlit options]``: start the app (see :mod:`geo.ui.serve`)."""

from geo.ui.serve import main

if __name__ == "__main__":
    main()
