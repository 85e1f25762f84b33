"""Clusters: real grouping of similar chunks, lazy status, retrieval options, PNG graph."""

import struct
import zlib

import pytest
from django.utils import timezone

from sandbox.behaviour.embeddings import put_documents
from sandbox.models import SbClusterTask

BILLING = {
    "invoice.md": "Your monthly invoice lists charges and taxes. Pay the invoice by card before the due date.",
    "late-fee.md": "A late payment fee is added when the invoice is unpaid after the due date.",
    "card.md": "Update the card that pays your monthly invoice in the billing settings.",
}
WIFI = {
    "restart.md": "Restart the wifi router when the internet connection drops.",
    "signal.md": "A weak wifi signal improves when the router is moved away from walls.",
    "lights.md": "The router lights show whether the internet connection is up.",
}


@pytest.fixture
def embedded(api):
    put_documents("kb", {**BILLING, **WIFI})
    assert api.post("/ai/embeddings", {"bucket_name": "kb"}).status_code == 200


def compute(api, **body):
    response = api.post("/ai/clusters", {"bucket": "kb", "min_cluster_size": 2, "min_subcluster_size": 1, **body})
    assert response.status_code == 200, response.content
    return response.json()["data"]["task_id"]


def test_similar_texts_are_clustered_together(api, embedded):
    task_id = compute(api)
    data = api.get(f"/ai/clusters/{task_id}").json()["data"]
    assert data["status"] == "completed" and data["bucket"] == "kb"
    groups = [{n["filename"] for n in c["nodes"]} for c in data["clusters"]]
    assert sorted(groups, key=sorted) == sorted([set(BILLING), set(WIFI)], key=sorted)
    headers = " ".join(c["cluster_header"] for c in data["clusters"])
    assert "invoice" in headers and "router" in headers
    assert all(c["total_number_of_nodes"] == 3 and c["cluster_summary"] for c in data["clusters"])
    assert "subclusters" not in data["clusters"][0]


def test_subclusters_and_top_n_nodes(api, embedded):
    task_id = compute(api)
    data = api.get(f"/ai/clusters/{task_id}", show_subclusters="true", top_n_nodes=1).json()["data"]
    for cluster in data["clusters"]:
        assert len(cluster["nodes"]) == 1 and cluster["total_number_of_nodes"] == 3
        assert cluster["subclusters"], "three loosely related chunks split into tighter groups"
        members = sum(s["total_number_of_nodes"] for s in cluster["subclusters"])
        assert members == 3
        assert all(s["cluster_id"].startswith(cluster["cluster_id"] + ".") for s in cluster["subclusters"])


def test_files_and_prefix_filters(api, embedded):
    only_wifi = compute(api, files=list(WIFI))
    data = api.get(f"/ai/clusters/{only_wifi}").json()["data"]
    assert {n["filename"] for c in data["clusters"] for n in c["nodes"]} == set(WIFI)
    prefixed = compute(api, prefix="late")
    data = api.get(f"/ai/clusters/{prefixed}").json()["data"]
    assert [n["filename"] for c in data["clusters"] for n in c["nodes"]] == ["late-fee.md"]
    nothing = compute(api, prefix="zzz")
    assert api.get(f"/ai/clusters/{nothing}").json()["data"]["status"] == "failed"


def test_status_moves_from_pending_to_completed(api, embedded, settings):
    settings.SANDBOX_ASYNC_SECONDS = 100
    task_id = compute(api)
    data = api.get(f"/ai/clusters/{task_id}").json()["data"]
    assert data["status"] == "pending" and data["clusters"] == []
    assert api.get(f"/ai/clusters/{task_id}/graph").status_code == 400
    task = SbClusterTask.objects.get(pk=task_id)
    task.created_at = timezone.now() - timezone.timedelta(seconds=50)
    task.save()
    assert api.get(f"/ai/clusters/{task_id}").json()["data"]["status"] == "running"
    task.created_at = timezone.now() - timezone.timedelta(seconds=200)
    task.save()
    assert len(api.get(f"/ai/clusters/{task_id}").json()["data"]["clusters"]) == 2


def test_list_paginates_and_delete(api, embedded):
    ids = [compute(api) for _ in range(3)]
    page = api.get("/ai/clusters", **{"page[size]": 2}).json()
    assert page["meta"]["total_pages"] == 2 and len(page["data"]) == 2
    item = page["data"][0]
    assert item["status"] == "completed" and item["min_cluster_size"] == 2 and item["finished_at"]
    assert api.delete(f"/ai/clusters/{ids[0]}").status_code == 204
    assert api.get(f"/ai/clusters/{ids[0]}").status_code == 404
    assert api.get("/ai/clusters").json()["meta"]["total_results"] == 2


def test_compute_validation(api, embedded):
    response = api.post("/ai/clusters", {"files": "a.md", "min_cluster_size": 0})
    assert response.status_code == 422
    assert {e["source"]["pointer"] for e in response.json()["errors"]} == {"/bucket", "/files"}
    response = api.post("/ai/clusters", {"bucket": "kb", "min_cluster_size": 0})
    assert response.json()["errors"][0]["source"]["pointer"] == "/min_cluster_size"
    assert api.post("/ai/clusters", {"bucket": "not-embedded"}).status_code == 404


def _png_chunks(data: bytes):
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        crc, = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        yield kind, body
        position += 12 + length


def test_graph_is_a_valid_png_with_coloured_clusters(api, embedded):
    task_id = compute(api)
    response = api.get(f"/ai/clusters/{task_id}/graph")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    png = response.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = list(_png_chunks(png))
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth, colour_type) == (800, 600, 8, 2)
    raw = zlib.decompress(chunks[1][1])
    assert len(raw) == height * (1 + 3 * width)
    pixels = {raw[i:i + 3] for row in range(height) for i in range(row * (1 + 3 * width) + 1,
                                                                     (row + 1) * (1 + 3 * width), 3 * 7)}
    assert bytes((31, 119, 180)) in pixels and bytes((255, 127, 14)) in pixels  # one colour per cluster

    single = api.get(f"/ai/clusters/{task_id}/graph", cluster_id=1).content
    assert single != png and single[:8] == png[:8]
    assert api.get(f"/ai/clusters/{task_id}/graph", cluster_id=9).status_code == 404
    assert api.get("/ai/clusters/nope/graph").status_code == 404
