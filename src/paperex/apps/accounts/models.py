from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A Paperex user. Custom from the start so fields can be added without a swap."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
