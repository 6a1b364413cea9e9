"""Lets the importer tests import their sample files (`import_samples`) under importlib mode."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
