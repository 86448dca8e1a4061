"""The WSGI application that gunicorn (or any WSGI server) serves."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rankfile.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, URL patterns, templates' code)
# lives as long as the process: move it out of the garbage collector's sight,
# so that its full collections, which otherwise walk all of it, stop adding
# tens of milliseconds to about one request in a hundred.
gc.freeze()
