"""Hardware tests: fail any test that leaves a thread running."""

from tests.threads import no_thread_left  # noqa: F401  (autouse)
