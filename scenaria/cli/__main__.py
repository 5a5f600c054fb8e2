"""``python -m scenaria.cli``: the ``scenaria`` command without the console script."""

import sys

from scenaria.cli import main

sys.exit(main())
