"""Settings for the test suite: the real settings with a throwaway key and a fast hasher."""
import os

os.environ.setdefault("SECRET_KEY", "test-suite-key-not-secret")

from project.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
