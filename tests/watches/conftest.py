"""The watches tests' shared fixture: ``bot``, the real app on the small org with the
watch tables emptied (defined in test_watches.py, shared with the other modules here)."""

from tests.watches.test_watches import bot  # noqa: F401
