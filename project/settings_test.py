"""Settings for the test suite: the real settings with a throwaway key and a fast hasher."""
import os

os.environ.setdefault("SECRET_KEY", "test-suite-key-not-secret")

from project.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not memory, so that a real server process started by the tests (gunicorn)
# shares the test database with the test process.
if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):  # noqa: F405
    # One file per test run, so that runs side by side never share (and delete) one.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
