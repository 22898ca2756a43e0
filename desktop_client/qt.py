"""The one module that imports PyQt5; everything else takes its Qt names from here.

As in qutebrowser (``qutebrowser/qt/``) and Anki (``aqt.qt``): a later move to Qt 6 or
PySide is this file, not a hunt through the code. ``Signal``/``Slot``/``Property`` are
the names PySide and Qt's documentation use, so the rest of the code reads the same
whichever binding is under it. The core (store, sync, services, cli) never imports this.
"""
# ruff: noqa: F401, F403
from __future__ import annotations

from PyQt5.QtCore import *
from PyQt5.QtCore import pyqtProperty as Property
from PyQt5.QtCore import pyqtSignal as Signal
from PyQt5.QtCore import pyqtSlot as Slot
from PyQt5.QtGui import *
from PyQt5.QtWidgets import *

BINDING = "PyQt5"
