"""Small round status icons, drawn rather than loaded: no icon theme is needed (none
exists offscreen or on a bare Windows machine) and colour plus a sign stays readable for
people who cannot tell the colours apart."""
from __future__ import annotations

from functools import cache

from desktop_client.qt import QColor, QFont, QIcon, QPainter, QPen, QPixmap, QRectF, Qt

# (fill colour, sign drawn on it)
_BADGES = {
    "online": ("#2e7d32", "✓"),
    "offline": ("#757575", "–"),
    "waiting": ("#9e9e9e", "…"),
    "syncing": ("#1565c0", "↻"),
    "error": ("#c62828", "!"),
    "revoked": ("#4a148c", "✕"),
    "not_connected": ("#ef6c00", "?"),
    "pending": ("#1565c0", "↑"),
    "conflict": ("#ef6c00", "⇄"),
    "rejected": ("#c62828", "!"),
}


@cache
def badge_icon(name: str, size: int = 16) -> QIcon:
    return QIcon(badge_pixmap(name, size))


@cache
def badge_pixmap(name: str, size: int = 16) -> QPixmap:
    colour, sign = _BADGES[name]
    ratio = 2  # drawn at twice the size, so it stays sharp on high-density screens
    pixmap = QPixmap(size * ratio, size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(8, int(size * 0.7)))
    painter.setFont(font)
    painter.setPen(QPen(QColor("white")))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignCenter, sign)
    painter.end()
    return pixmap
