from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/dashboard.html", {})


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/audit_list.html", {})


@require_GET
def coming_soon(request: HttpRequest, section: str) -> HttpResponse:
    return render(request, "portal/coming_soon.html", {"section": section})
