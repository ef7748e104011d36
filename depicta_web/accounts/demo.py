"""The demo logins `make run` creates on a fresh machine."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    is_staff: bool
    created: bool


DEMO_DESIGNER = ("demo", "depicta-demo")
DEMO_ADMIN = ("admin", "depicta-admin")


def demo_logins_ensure() -> list[DemoLogin]:
    """Create the demo designer and admin if missing; never reset a password someone changed."""
    user_model = get_user_model()
    logins = []
    for (username, password), staff in ((DEMO_DESIGNER, False), (DEMO_ADMIN, True)):
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": staff, "is_superuser": staff}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        logins.append(DemoLogin(username, password, staff, created))
    return logins
