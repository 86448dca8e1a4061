"""``python -m rankfile.counting count FILE``: the engine's command line without Django."""

import sys

from rankfile.counting.cli import main

if __name__ == "__main__":
    sys.exit(main())
