"""Every node with its lag and open conflicts, as a table for a terminal."""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from apps.sync.selectors import nodes_with_status


def _when(moment) -> str:
    return date_format(localtime(moment), "Y-m-d H:i") if moment else _("never")


def table_format(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell, two spaces apart; numbers right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    numeric = [all(row[index].isdigit() for row in rows) and bool(rows) for index in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(width) if is_number else cell.ljust(width)
            for cell, width, is_number in zip(cells, widths, numeric)
        ]
        return "  ".join(padded).rstrip()

    return [line(header), "  ".join("-" * width for width in widths), *(line(row) for row in rows)]


class Command(BaseCommand):
    help = "List every computer that synchronises: last seen, lag, open conflicts, revoked."

    def handle(self, *args, **options) -> None:
        nodes = list(nodes_with_status().order_by("name", "created_at"))
        if not nodes:
            self.stdout.write(_("No computers are registered."))
            return
        header = [_("Name"), _("Owner"), _("Node id"), _("Last seen"), _("Lag"), _("Open conflicts"), _("Revoked")]
        rows = [
            [
                node.name,
                node.owner.username,
                str(node.node_id),
                _when(node.last_seen_at),
                str(node.lag),
                str(node.open_conflicts),
                _when(node.revoked_at) if node.is_revoked else _("no"),
            ]
            for node in nodes
        ]
        for text in table_format(header, rows):
            self.stdout.write(text)
