import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ukcn.settings")
application = get_wsgi_application()

# The machine's newest screening index snapshot, held before gunicorn (preload_app) forks its
# workers, so that they share it instead of each loading or building its own.
if os.environ.get("UKCN_SCREENING_PRELOAD", "1") != "0":
    from assessments.screening.service import preload_screening_index

    preload_screening_index()
