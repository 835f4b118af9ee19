"""Where the repository is, for tests that run ``acctbot`` or ``app.py`` as a subprocess."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
