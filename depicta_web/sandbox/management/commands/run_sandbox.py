"""`make sandbox`: serve the sandbox alone on 127.0.0.1:$PORT, as a separate peer.

Django's development server (threaded, no reloader, and none of runserver's checks of the
app's own database), whose URLconf (`standalone_urls`) mounts only /sandbox/: the studio's
pages, admin and login are not served. The URLconf is switched for this process only, so the
command needs nothing from settings.py; keys come from DEPICTA_SANDBOX_KEYS.
"""

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.core.servers.basehttp import get_internal_wsgi_application, run
from django.test.utils import override_settings

from ...routers import SANDBOX_DB

STANDALONE_URLCONF = "depicta_web.sandbox.standalone_urls"


class Command(BaseCommand):
    help = "Serve the Depicta sandbox alone on 127.0.0.1:$PORT (default 8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
        parser.add_argument(
            "--no-migrate", action="store_true", help="do not migrate the sandbox database first"
        )
        parser.add_argument(
            "--nice",
            type=int,
            default=0,
            help="lower this process's CPU priority by N (make run: the studio comes first)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or int(os.environ.get("PORT") or settings.PORT or 8000)
        if options["nice"]:
            os.nice(options["nice"])
        if not options["no_migrate"]:
            call_command("migrate", database=SANDBOX_DB, interactive=False, verbosity=0)
        keys = len(settings.DEPICTA_SANDBOX_KEYS)
        faults = "on" if settings.DEPICTA_SANDBOX_FAULTS_ENABLED else "off"
        self.stdout.write(
            f"Depicta sandbox: http://127.0.0.1:{port}/sandbox/ "
            f"({keys} key(s) from DEPICTA_SANDBOX_KEYS, faults {faults})"
        )
        with override_settings(ROOT_URLCONF=STANDALONE_URLCONF):
            try:
                run("127.0.0.1", port, get_internal_wsgi_application(), threading=True)
            except KeyboardInterrupt:
                self.stdout.write("Sandbox stopped.")
