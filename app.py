"""``python app.py`` is the same as ``acctbot run`` (see ``bot/application.py``).

Nothing imports this file; it is the script entry point, as in Bolt's starter template.
"""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
