from django.http import JsonResponse
from django.urls import path

from benchmarks.bare_django.models import Application


def one_query(request):
    """One indexed query on the applications table through the ORM, answered as JSON."""
    row = Application.objects.filter(pk=int(request.GET.get("id", "1"))).first()
    if row is None:
        return JsonResponse({"detail": "not found"}, status=404)
    return JsonResponse({"id": row.pk, "number": row.number, "state": row.state, "due_date": row.due_date})


urlpatterns = [path("bare/", one_query)]
