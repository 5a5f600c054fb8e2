import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_service import serve  # noqa: F401  (the fixture, for the other test modules)
