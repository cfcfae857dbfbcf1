"""WSGI entry point for gunicorn: `gunicorn gapbridge.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gapbridge.settings")
application = get_wsgi_application()

# The text similarity of matching and barriers loads scikit-learn only when it first builds an index, so
# that commands start quickly; a web server loads it now, at start-up, rather than in a visitor's request.
import sklearn.feature_extraction.text  # noqa: E402, F401
