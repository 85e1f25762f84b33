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
    _refuse_empty(body, "name", "instructions")
    svc.check_json_schema(body.get("json_schema"))
    return ok({"data": svc.template_json(_updated(svc.get_template(insight_id), body, TEMPLATE_FIELDS))})


def template_delete(request, insight_id):
    svc.get_template(insight_id).delete()
    return no_content()


def _refuse_empty(body: dict, *names: str) -> None:
    for name in names:
        if name in body and not body[name]:
            raise ApiError(422, f"The '{name}' field cannot be empty.", pointer=f"/{name}")


def _updated(row, body: dict, fields):
    """`row` with the fields the body sets (null leaves one as it is), saved."""
    for field in fields:
        if body.get(field) is not None:
            setattr(row, field, body[field])
    row.save()
    return row


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
    _refuse_empty(body, "name")
    return ok({"data": svc.group_json(_updated(svc.get_group(group_id), body, GROUP_FIELDS))})


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
