from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .limits import client_address, login_failure_record, login_failures_clear


@receiver(user_login_failed, dispatch_uid="throttle_login_failed")
def _failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")
    address = client_address(request) if request is not None else None
    login_failure_record(username=username, address=address)


@receiver(user_logged_in, dispatch_uid="throttle_logged_in")
def _logged_in(sender, request, user, **kwargs) -> None:
    login_failures_clear(username=user.get_username())
