from apps import sync
from apps.accounts.models import User

sync.register(User, type_name="user")
