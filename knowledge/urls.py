from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("buckets/", views.bucket_list, name="bucket-list"),
    path("buckets/refresh/", views.bucket_refresh, name="bucket-refresh"),
    path("buckets/<str:name>/", views.bucket_detail, name="bucket-detail"),
    path("buckets/<str:name>/embed/", views.bucket_embed, name="bucket-embed"),
    path("buckets/<str:name>/embed-url/", views.bucket_embed_url, name="bucket-embed-url"),
    path("buckets/<str:name>/summarize/", views.bucket_summarize, name="bucket-summarize"),
    path("buckets/<str:name>/disable/", views.bucket_disable, name="bucket-disable"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/refresh/", views.task_refresh, name="task-refresh"),
    path("tasks/<tid:task_id>/", views.task_detail, name="task-detail"),
    path("search/", views.search, name="search"),
    path("clusters/", views.cluster_list, name="cluster-list"),
    path("clusters/refresh/", views.cluster_refresh, name="cluster-refresh"),
    path("clusters/compute/", views.cluster_compute, name="cluster-compute"),
    path("clusters/<tid:task_id>/", views.cluster_detail, name="cluster-detail"),
    path("clusters/<tid:task_id>/graph.png", views.cluster_graph, name="cluster-graph"),
    path("clusters/<tid:task_id>/delete/", views.cluster_delete, name="cluster-delete"),
]
