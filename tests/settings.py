"""Settings for the test suite: the project's own settings in their ``test`` profile."""

import os

os.environ.setdefault("KENES_ENV", "test")

from kenes.settings import *  # noqa: E402,F403
