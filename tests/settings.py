"""Settings for the test suite: the project's own settings in their ``test`` profile."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("KENES_ENV", "test")

from kenes.settings import *  # noqa: E402,F403

# Snapshots of the similarity index belong to one test session, never to the developer's var/.
KENES_SIMILARITY_INDEX_DIR = Path(tempfile.mkdtemp(prefix="kenes-similarity-"))
