"""``python -m sharehub`` is the ``sharehub`` command."""

import sys

from sharehub.cli import main

sys.exit(main())
