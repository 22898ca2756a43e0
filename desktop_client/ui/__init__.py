"""The desktop window (PyQt5): lists, editors, settings, the conflicts dialog and the
background sync worker.

Widgets read and write through ``desktop_client.services`` and never run SQL or HTTP;
network work happens in ``SyncWorker`` on its own thread, with its own store. Qt names
come from ``desktop_client.qt`` only. See docs/desktop-window.md.
"""
