import sys
from pathlib import Path

# _optim_replay.py lives next to the tests (tests/ is not a package)
sys.path.insert(0, str(Path(__file__).parent))
