"""Lets the auth tests import their signing helpers (`sigv4_support`) under importlib mode."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
