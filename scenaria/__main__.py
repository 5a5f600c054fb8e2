"""``python -m scenaria``: the ``scenaria`` command."""

import sys

from scenaria.cli import main

sys.exit(main())
