"""Django project: settings from the environment, root URLs, WSGI/ASGI, Celery app, users and roles."""

from backend.celery import app as celery_app

__all__ = ["celery_app"]
