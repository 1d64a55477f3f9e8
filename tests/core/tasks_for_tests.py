"""Tasks the worker tests enqueue; importable by a worker process started at the repository root."""

import time
from pathlib import Path

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def wait_for_release(folder: str) -> int:
    """Mark that a run started (``started-<n>``), then wait for the test's ``release`` file."""
    place = Path(folder)
    run = len(list(place.glob("started-*"))) + 1
    (place / f"started-{run}").touch()
    deadline = time.monotonic() + 60
    while not (place / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return run
