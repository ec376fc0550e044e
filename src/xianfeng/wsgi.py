import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
application = get_wsgi_application()

from xianfeng.core.serving import freeze_startup_objects  # noqa: E402  needs settings

freeze_startup_objects()
