"""``python -m desktop_client.store.migrations revision "message"``: autogenerate a revision."""
import sys

from desktop_client.store.migrate import make_revision

if len(sys.argv) != 3 or sys.argv[1] != "revision":
    sys.exit('usage: python -m desktop_client.store.migrations revision "what changed"')
make_revision(sys.argv[2])
