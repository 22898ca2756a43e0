"""Revoke a node's access from the command line (e.g. when the admin is out of reach)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from apps.sync.selectors import node_get
from apps.sync.services.nodes import node_revoke


class Command(BaseCommand):
    help = "Revoke a computer's access by its node id: its next request is refused."

    def add_arguments(self, parser):
        parser.add_argument("node_id", help="the node id (a UUID), as `sync_status` lists it")

    def handle(self, *args, node_id: str, **options) -> None:
        node = node_get(node_id=node_id)
        if node is None:
            raise CommandError(_("No computer has the node id %(node_id)s.") % {"node_id": node_id})
        if node_revoke(node=node):
            self.stdout.write(
                self.style.SUCCESS(
                    _("Revoked the access of %(name)s (%(owner)s): its next request is refused.")
                    % {"name": node.name, "owner": node.owner}
                )
            )
            return
        node.refresh_from_db(fields=["revoked_at"])
        self.stdout.write(
            _("%(name)s (%(owner)s) was revoked already, on %(when)s.")
            % {"name": node.name, "owner": node.owner, "when": date_format(localtime(node.revoked_at), "Y-m-d H:i")}
        )
