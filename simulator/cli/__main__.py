"""``python -m simulator.cli`` is ``svmsim``."""

import sys

from simulator.cli import main

sys.exit(main())
