"""``python -m storyboard_core``: the same as the ``storyboard`` command."""

import sys

from .cli import main

sys.exit(main())
