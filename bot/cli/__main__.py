"""``python -m bot.cli`` is the ``acctbot`` command."""

import sys

from bot.cli import main

sys.exit(main())
