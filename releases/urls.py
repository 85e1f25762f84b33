"""Mounted under /assistants/<tid:assistant_id>/releases/ (see portal/urls.py)."""

from django.urls import path

from releases.views import approvals, plans, timeline

app_name = "releases"
urlpatterns = [
    path("", timeline.timeline, name="timeline"),
    path("plans/", plans.plan_list, name="plan-list"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:plan_id>/<slug:action>/", plans.plan_action, name="plan-action"),
    path("policy/", plans.policy_update, name="policy-change"),
    path("release-suites/", plans.release_suites_update, name="release-suites-change"),
    path("approvals/<int:approval_id>/", approvals.approval_detail, name="approval-detail"),
]
