from django import forms

from core.changelist import FilterForm
from core.forms import IdempotentForm


class BucketFilterForm(FilterForm):
    search_fields = ["telnyx_id"]


class TaskFilterForm(FilterForm):
    status = forms.ChoiceField(required=False, label="By status", choices=[
        ("", "Any status"), ("queued", "queued"), ("processing", "processing"), ("success", "success"),
        ("partial_success", "partial success"), ("failure", "failure")])
    bucket = forms.ChoiceField(required=False, label="By bucket")
    filter_lookups = {"status": "status", "bucket": "bucket"}
    search_fields = ["telnyx_id", "bucket", "task_name"]

    def __init__(self, *args, buckets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bucket"].choices = [("", "All buckets"), *((b, b) for b in buckets)]


class ClusterFilterForm(TaskFilterForm):
    status = forms.ChoiceField(required=False, label="By status", choices=[
        ("", "Any status"), ("pending", "pending"), ("starting", "starting"), ("running", "running"),
        ("completed", "completed"), ("failed", "failed")])
    search_fields = ["telnyx_id", "bucket"]  # a cluster task has no name


class EmbedForm(IdempotentForm):
    document_chunk_size = forms.IntegerField(required=False, min_value=64, max_value=8192, initial=1024, label="Chunk size")
    document_chunk_overlap_size = forms.IntegerField(required=False, min_value=0, max_value=2048, initial=512, label="Chunk overlap")
    embedding_model = forms.ChoiceField(required=False, choices=[
        ("thenlper/gte-large", "thenlper/gte-large"), ("intfloat/multilingual-e5-large", "intfloat/multilingual-e5-large")])
    loader = forms.ChoiceField(required=False, choices=[("default", "default"), ("intercom", "intercom")])

    def clean(self):
        data = super().clean()
        size, overlap = data.get("document_chunk_size"), data.get("document_chunk_overlap_size")
        if size and overlap is not None and overlap >= size:
            self.add_error("document_chunk_overlap_size", "The overlap must be smaller than the chunk size.")
        return data

    def options(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "idempotency_key"}


class EmbedUrlForm(IdempotentForm):
    url = forms.URLField(label="Web page URL", assume_scheme="https")


class SearchForm(forms.Form):
    bucket = forms.ChoiceField()
    q = forms.CharField(label="Query", max_length=1000)
    num_of_docs = forms.IntegerField(label="Results", min_value=1, max_value=50, initial=5, required=False)

    def __init__(self, *args, buckets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bucket"].choices = [(b, b) for b in buckets]


class SummarizeForm(forms.Form):
    filename = forms.ChoiceField(label="File")
    system_prompt = forms.CharField(required=False, max_length=2000, label="Instructions (optional)")

    def __init__(self, *args, filenames=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filename"].choices = [(f, f) for f in filenames]


class ClusterForm(IdempotentForm):
    bucket = forms.ChoiceField()
    min_cluster_size = forms.IntegerField(required=False, min_value=2, max_value=1000, initial=2)
    min_subcluster_size = forms.IntegerField(required=False, min_value=2, max_value=1000, initial=2)
    prefix = forms.CharField(required=False, max_length=200, help_text="Only files whose names start with this.")

    def __init__(self, *args, buckets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bucket"].choices = [(b, b) for b in buckets]

    def clean(self):
        data = super().clean()
        big, small = data.get("min_cluster_size"), data.get("min_subcluster_size")
        if big and small and small > big:
            self.add_error("min_subcluster_size", "Sub-clusters cannot be larger than clusters.")
        return data

    def options(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("idempotency_key", "bucket")}
