"""Site sync desktop client: the node side of the sync protocol (shared/PROTOCOL.md).

The core (``store``, ``sync``, ``services``, ``cli``) imports no Qt, Django or ``apps``;
the window is built on top of ``services`` and the sync engine.
"""

__version__ = "0.1.0"

APP_NAME = "site-sync"
