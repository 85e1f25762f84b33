"""Insight templates (/ai/conversations/insights) and insight groups
(/ai/conversations/insight-groups), with assign/unassign. Single objects come wrapped in
``data``; lists are paginated."""

from sandbox.api import ApiError, new_id, no_content, now, ok, paginate, validate
from sandbox.behaviour import insights as svc
from sandbox.models import SbInsightGroup, SbInsightTemplate

TEMPLATE_FIELDS = {"instructions": str, "name": str, "json_schema": (str, dict), "webhook": str}
GROUP_FIELDS = {"name": str, "description": str, "webhook": str}


# --- templates ------------------------------------------------------------------------------

def template_list(request):
    return ok(paginate(request, SbInsightTemplate.objects.all(), svc.template_json))


def template_create(request):
    body = request.json
    validate(body, required={"instructions": str, "name": str},
             optional={"json_schema": (str, dict), "webhook": str})
    svc.check_json_schema(body.get("json_schema"))
    template = SbInsightTemplate.objects.create(
        id=new_id(), name=body["name"], instructions=body["instructions"], insight_type="custom",
        json_schema=body.get("json_schema"), webhook=body.get("webhook") or "", created_at=now())
    return ok({"data": svc.template_json(template)})


def template_retrieve(request, insight_id):
    return ok({"data": svc.template_json(svc.get_template(insight_id))})


def template_update(request, insight_id):
    body = request.json
    validate(body, optional=TEMPLATE_FIELDS)
    for field in ("name", "instructions"):
        if field in body and not body[field]:
            raise ApiError(422, f"The '{field}' field cannot be empty.", pointer=f"/{field}")
    svc.check_json_schema(body.get("json_schema"))
    template = svc.get_template(insight_id)
    for field in TEMPLATE_FIELDS:
        if body.get(field) is not None:
            setattr(template, field, body[field])
    template.save()
    return ok({"data": svc.template_json(template)})


def template_delete(request, insight_id):
    svc.get_template(insight_id).delete()
    return no_content()


# --- groups ---------------------------------------------------------------------------------

def group_list(request):
    groups = SbInsightGroup.objects.prefetch_related("insights")
    return ok(paginate(request, groups, svc.group_json))


def group_create(request):
    body = request.json
    validate(body, required={"name": str}, optional={"description": str, "webhook": str})
    group = SbInsightGroup.objects.create(id=new_id(), name=body["name"], description=body.get("description") or "",
                                          webhook=body.get("webhook") or "", created_at=now())
    return ok({"data": svc.group_json(group)})


def group_retrieve(request, group_id):
    return ok({"data": svc.group_json(svc.get_group(group_id))})


def group_update(request, group_id):
    body = request.json
    validate(body, optional=GROUP_FIELDS)
    if "name" in body and not body["name"]:
        raise ApiError(422, "The 'name' field cannot be empty.", pointer="/name")
    group = svc.get_group(group_id)
    for field in GROUP_FIELDS:
        if body.get(field) is not None:
            setattr(group, field, body[field])
    group.save()
    return ok({"data": svc.group_json(group)})


def group_delete(request, group_id):
    # Templates survive: deleting a group only drops its assignments.
    svc.get_group(group_id).delete()
    return no_content()


def group_assign(request, group_id, insight_id):
    group, template = svc.get_group(group_id), svc.get_template(insight_id)
    group.insights.add(template)  # assigning twice is harmless
    return no_content()


def group_unassign(request, group_id, insight_id):
    group, template = svc.get_group(group_id), svc.get_template(insight_id)
    if not group.insights.filter(pk=template.pk).exists():
        raise ApiError(404, f"Insight {insight_id} is not assigned to group {group_id}.")
    group.insights.remove(template)
    return no_content()
