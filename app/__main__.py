"""``python -m hwinspector``."""

import sys

from hwinspector.cli import main

sys.exit(main())
