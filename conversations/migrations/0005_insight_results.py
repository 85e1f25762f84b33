import json

from django.db import migrations, models


def _values(text):
    # A frozen copy of conversations.insights.store.structured_values (migrations must not change with the code).
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    if not isinstance(value, dict):
        return {}
    values = {}
    for key, item in value.items():
        if isinstance(item, bool):
            values[str(key)] = item
        elif isinstance(item, (int, float)):
            values[str(key)] = float(item)
        elif isinstance(item, str) and len(item) <= 200:
            values[str(key)] = item
    return values


def carry_results_over(apps, schema_editor):
    """Webhook results keep their template and event time; the release gate's reads had no
    template (it merged every template's fields per conversation): they keep that, with an empty
    template id, so the gate judges a running step on the same evidence after the move."""
    Conversation = apps.get_model("conversations", "Conversation")
    InsightResult = apps.get_model("conversations", "InsightResult")
    Pushed = apps.get_model("conversations", "PushedInsightResult")
    Gate = apps.get_model("releases", "ConversationInsight")
    versions = {}

    def owner(conversation_id):
        if conversation_id not in versions:
            versions[conversation_id] = Conversation.objects.filter(telnyx_id=conversation_id).values_list(
                "assistant_id", "assistant_version_id").first() or ("", "")
        return versions[conversation_id]

    rows = []
    for pushed in Pushed.objects.iterator(chunk_size=1000):
        assistant_id, version_id = owner(pushed.conversation_id)
        rows.append(InsightResult(conversation_id=pushed.conversation_id, template_id=pushed.insight_id,
                                  assistant_id=assistant_id, assistant_version_id=version_id, result=pushed.result,
                                  values=_values(pushed.result), status=pushed.status, occurred_at=pushed.occurred_at,
                                  event_id=pushed.event_id, source="webhook"))
    for read in Gate.objects.iterator(chunk_size=1000):
        rows.append(InsightResult(conversation_id=read.conversation_id, template_id="", assistant_id=read.assistant_id,
                                  assistant_version_id=read.assistant_version_id, result=json.dumps(read.values),
                                  values=read.values, status="completed", occurred_at=read.fetched_at, source="moved"))
        Conversation.objects.filter(telnyx_id=read.conversation_id).update(insights_synced_at=read.fetched_at)
    InsightResult.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0004_insight_events'),
        ('releases', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='InsightResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('conversation_id', models.CharField(max_length=200)),
                ('template_id', models.CharField(blank=True, max_length=200)),
                ('assistant_id', models.CharField(blank=True, db_index=True, max_length=200)),
                ('assistant_version_id', models.CharField(blank=True, db_index=True, max_length=200)),
                ('result', models.TextField(blank=True)),
                ('values', models.JSONField(blank=True, default=dict)),
                ('status', models.CharField(blank=True, max_length=30)),
                ('occurred_at', models.DateTimeField(db_index=True)),
                ('event_id', models.CharField(blank=True, max_length=200)),
                ('source', models.CharField(blank=True, max_length=20)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['conversation_id', 'template_id'],
            },
        ),
        migrations.AddField(
            model_name='conversation',
            name='insights_synced_at',
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddIndex(
            model_name='insightresult',
            index=models.Index(fields=['template_id', 'assistant_id', 'assistant_version_id', 'occurred_at'], name='insight_analytics_idx'),
        ),
        migrations.AddConstraint(
            model_name='insightresult',
            constraint=models.UniqueConstraint(fields=('conversation_id', 'template_id'), name='one_result_per_template'),
        ),
        migrations.RunPython(carry_results_over, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='PushedInsightResult',
        ),
    ]
