"""Public pages. The applicant wizard and the engineer console build on these templates."""

from django.shortcuts import render


def home(request):
    return render(request, "web/home.html")


def about(request):
    return render(request, "web/about.html")
