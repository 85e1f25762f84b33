"""The standard-library text and image helpers behind search, clustering and graphs."""

import struct
import zlib

from sandbox.behaviour.chunking import chunk_text
from sandbox.behaviour.png_canvas import Canvas
from sandbox.behaviour.summaries import split_sentences, wanted_length
from sandbox.behaviour.text_vectors import TfidfModel, cosine, tokenize


def test_chunks_respect_size_and_overlap_and_cover_every_word():
    words = [f"w{n:03d}" for n in range(200)]
    chunks = chunk_text(" ".join(words), size=60, overlap=20)
    assert all(len(c) <= 60 for c in chunks)
    assert [w for c in chunks for w in c.split()][0] == "w000"
    seen = {w for c in chunks for w in c.split()}
    assert seen == set(words)
    for previous, current in zip(chunks, chunks[1:]):
        shared = set(previous.split()) & set(current.split())
        assert shared and len(" ".join(sorted(shared))) <= 20
        assert current.split()[0] in previous.split()  # the next chunk starts inside the last one


def test_chunking_edge_cases():
    assert chunk_text("") == []
    assert chunk_text("short text", size=100, overlap=10) == ["short text"]
    assert chunk_text("a" * 50 + " b", size=10, overlap=0) == ["a" * 50, "b"]  # long words stay whole


def test_tokenize_folds_plurals_hyphens_and_drops_stop_words():
    assert tokenize("The Wi-Fi policies and refunds") == ["wifi", "policy", "refund"]
    assert tokenize("It is what it is") == []


def test_tfidf_cosine_prefers_shared_rare_terms():
    corpus = [tokenize(t) for t in ("refund card payment", "router wifi payment", "hours desk")]
    model = TfidfModel(corpus)
    query = model.vector(tokenize("refund"))
    scores = [cosine(query, model.vector(tokens)) for tokens in corpus]
    assert scores[0] > 0.5 and scores[1] == scores[2] == 0
    unit = model.vector(corpus[0])
    assert abs(cosine(unit, unit) - 1.0) < 1e-9


def test_summary_helpers():
    assert split_sentences("One here. Two there! Three?") == ["One here.", "Two there!", "Three?"]
    assert wanted_length("Give me two sentences") == 2 and wanted_length("Summarise in 4 bullets") == 4
    assert wanted_length("") == 3


def test_canvas_png_decodes_to_the_drawn_pixels():
    canvas = Canvas(4, 3, background=(0, 0, 0))
    canvas.set(1, 2, (10, 20, 30))
    canvas.set(9, 9, (1, 1, 1))  # off the canvas: ignored
    png = canvas.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and struct.unpack(">II", png[16:24]) == (4, 3)
    idat_at = png.index(b"IDAT")
    idat_length = struct.unpack(">I", png[idat_at - 4:idat_at])[0]
    raw = zlib.decompress(png[idat_at + 4:idat_at + 4 + idat_length])
    rows = [raw[r * 13:(r + 1) * 13] for r in range(3)]
    assert all(row[0] == 0 for row in rows)  # filter byte
    assert rows[2][1 + 3:1 + 6] == bytes((10, 20, 30))
    assert raw.count(b"\x01\x01\x01") == 0
