"""WSGI entry point for gunicorn: `gunicorn gapbridge.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gapbridge.settings")
application = get_wsgi_application()
