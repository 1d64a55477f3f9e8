"""Settings for the test suite: the project's own settings in their ``test`` profile."""

import os

os.environ.setdefault("KENES_ENV", "test")

from kenes.settings import *  # noqa: E402,F403

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

# Snapshots of the similarity index belong to one test session, never to the developer's var/.
KENES_SIMILARITY_INDEX_DIR = Path(tempfile.mkdtemp(prefix="kenes-similarity-"))
