from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from depicta_web.gallery.trash import trash_purge


class Command(BaseCommand):
    help = "Delete for good what has been in the trash longer than GALLERY_TRASH_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.GALLERY_TRASH_DAYS)

    def handle(self, *args, days: int, **options):
        if days < 0:
            self.stderr.write("--days cannot be negative.")
            return
        count = trash_purge(older_than=timedelta(days=days))
        self.stdout.write(f"Purged {count} generation(s) in the trash for over {days} day(s).")
