"""The smallest Django that answers JSON from the portal's database: no middleware, one app
(an unmanaged model of the applications table), one view running one query.

bench_api.py serves it with gunicorn beside the portal, on the same database and with the same
connection reuse, as the yardstick the portal's API is measured against.
"""

import os

import environ

env = environ.Env()
DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "benchmarks.bare_django.urls"
WSGI_APPLICATION = "benchmarks.bare_django.wsgi.application"
INSTALLED_APPS = ["benchmarks.bare_django"]
MIDDLEWARE: list[str] = []
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
USE_TZ = True
USE_I18N = False
