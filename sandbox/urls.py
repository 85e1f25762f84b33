"""The sandbox API, mounted at /sandbox/v2/. Paths mirror https://api.telnyx.com/v2/."""

from django.urls import path

from sandbox.api import endpoint
from sandbox.views import assistants, canary_deploys, models, versions

app_name = "sandbox"

urlpatterns = [
    path("ai/models", endpoint(GET=models.models_list), name="models-seed"),
    path("ai/openai/models", endpoint(GET=models.models_list), name="models"),
    path("ai/assistants", endpoint(GET=assistants.assistant_list, POST=assistants.assistant_create),
         name="assistants"),
    path("ai/assistants/import", endpoint(POST=assistants.assistant_import), name="assistants-import"),
    path("ai/assistants/deleted", endpoint(GET=assistants.deleted_list), name="assistants-deleted"),
    path("ai/assistants/<str:assistant_id>",
         endpoint(GET=assistants.assistant_retrieve, POST=assistants.assistant_update,
                  DELETE=assistants.assistant_delete), name="assistant"),
    path("ai/assistants/<str:assistant_id>/deleted", endpoint(GET=assistants.deleted_retrieve),
         name="assistant-deleted"),
    path("ai/assistants/<str:assistant_id>/restore", endpoint(POST=assistants.assistant_restore_view),
         name="assistant-restore"),
    path("ai/assistants/<str:assistant_id>/clone", endpoint(POST=assistants.assistant_clone),
         name="assistant-clone"),
    path("ai/assistants/<str:assistant_id>/versions", endpoint(GET=versions.version_list), name="versions"),
    path("ai/assistants/<str:assistant_id>/versions/<str:version_id>",
         endpoint(GET=versions.version_retrieve, POST=versions.version_update, DELETE=versions.version_delete),
         name="version"),
    path("ai/assistants/<str:assistant_id>/versions/<str:version_id>/promote",
         endpoint(POST=versions.version_promote), name="version-promote"),
    path("ai/assistants/<str:assistant_id>/canary-deploys",
         endpoint(GET=canary_deploys.canary_retrieve, POST=canary_deploys.canary_create,
                  PUT=canary_deploys.canary_update, DELETE=canary_deploys.canary_delete),
         name="canary-deploys"),
]

# Knowledge, insights and inference (branch sandbox-knowledge).
from sandbox.views import audio, chat, clusters, embeddings, fine_tuning, insights, summarize  # noqa: E402

urlpatterns += [
    path("ai/conversations/insights",
         endpoint(GET=insights.template_list, POST=insights.template_create), name="insights"),
    path("ai/conversations/insights/<str:insight_id>",
         endpoint(GET=insights.template_retrieve, PUT=insights.template_update, DELETE=insights.template_delete),
         name="insight"),
    path("ai/conversations/insight-groups",
         endpoint(GET=insights.group_list, POST=insights.group_create), name="insight-groups"),
    path("ai/conversations/insight-groups/<str:group_id>",
         endpoint(GET=insights.group_retrieve, PUT=insights.group_update, DELETE=insights.group_delete),
         name="insight-group"),
    path("ai/conversations/insight-groups/<str:group_id>/insights/<str:insight_id>/assign",
         endpoint(POST=insights.group_assign), name="insight-group-assign"),
    path("ai/conversations/insight-groups/<str:group_id>/insights/<str:insight_id>/unassign",
         endpoint(DELETE=insights.group_unassign), name="insight-group-unassign"),
    path("ai/embeddings", endpoint(GET=embeddings.task_list, POST=embeddings.task_create), name="embeddings"),
    path("ai/embeddings/buckets", endpoint(GET=embeddings.bucket_list), name="embedding-buckets"),
    path("ai/embeddings/buckets/<str:bucket_name>",
         endpoint(GET=embeddings.bucket_retrieve, DELETE=embeddings.bucket_delete), name="embedding-bucket"),
    path("ai/embeddings/similarity-search", endpoint(POST=embeddings.similarity_search),
         name="embeddings-similarity-search"),
    path("ai/embeddings/url", endpoint(POST=embeddings.embed_url), name="embeddings-url"),
    path("ai/embeddings/<str:task_id>", endpoint(GET=embeddings.task_retrieve), name="embedding"),
    path("ai/clusters", endpoint(GET=clusters.cluster_list, POST=clusters.cluster_compute), name="clusters"),
    path("ai/clusters/<str:task_id>", endpoint(GET=clusters.cluster_retrieve, DELETE=clusters.cluster_delete),
         name="cluster"),
    path("ai/clusters/<str:task_id>/graph", endpoint(GET=clusters.cluster_graph_png), name="cluster-graph"),
    path("ai/audio/transcriptions", endpoint(POST=audio.transcribe), name="audio-transcriptions"),
    path("ai/chat/completions", endpoint(POST=chat.create_completion), name="chat-completions-seed"),
    path("ai/openai/chat/completions", endpoint(POST=chat.create_completion), name="chat-completions"),
    path("ai/fine_tuning/jobs", endpoint(GET=fine_tuning.job_list, POST=fine_tuning.job_create),
         name="fine-tuning-jobs"),
    path("ai/fine_tuning/jobs/<str:job_id>", endpoint(GET=fine_tuning.job_retrieve), name="fine-tuning-job"),
    path("ai/fine_tuning/jobs/<str:job_id>/cancel", endpoint(POST=fine_tuning.job_cancel),
         name="fine-tuning-job-cancel"),
    path("ai/summarize", endpoint(POST=summarize.summarize), name="summarize"),
]
