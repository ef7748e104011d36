from django.core.management.base import BaseCommand

from depicta_web.accounts.demo import demo_logins_ensure


class Command(BaseCommand):
    help = "Create the demo designer and admin logins (idempotent) and print them."

    def handle(self, *args: object, **options: object) -> None:
        for login in demo_logins_ensure():
            role = "admin" if login.is_staff else "designer"
            note = "" if login.created else " (already existed; password left as it was)"
            self.stdout.write(f"Demo {role} login: {login.username} / {login.password}{note}")
