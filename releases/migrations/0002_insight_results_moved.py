from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('releases', '0001_initial'),
        # The conversations app carries the gate's reads into its InsightResult first.
        ('conversations', '0005_insight_results'),
    ]

    operations = [
        migrations.DeleteModel(
            name='ConversationInsight',
        ),
    ]
