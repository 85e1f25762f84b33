"""Word-level diff of instructions: only the words that changed are marked, long unchanged
stretches fold around the changes (versions compare, promote page and approvals share it)."""

from __future__ import annotations

from django.template.loader import render_to_string

from assistants.compare import Fold, compare, folded, instructions_diff, word_diff


def test_one_added_sentence_in_a_paragraph_marks_only_that_sentence():
    before = "You help callers of Acme. Answer briefly and stay polite."
    after = "You help callers of Acme. Always confirm the caller's name. Answer briefly and stay polite."
    left, right = word_diff(before, after)
    assert left == [(before, False)]
    assert right == [("You help callers of Acme. ", False), ("Always confirm the caller's name. ", True),
                     ("Answer briefly and stay polite.", False)]


def test_a_replaced_word_is_marked_on_both_sides():
    left, right = word_diff("Be brief.", "Be kind.")
    assert left == [("Be ", False), ("brief", True), (".", False)]
    assert right == [("Be ", False), ("kind", True), (".", False)]


def test_long_unchanged_stretches_fold_around_the_change():
    lines = [f"Rule {n}." for n in range(1, 21)]
    changed = [*lines[:10], "Rule 11, said kindly.", *lines[11:]]
    rows = folded(instructions_diff("\n".join(lines), "\n".join(changed)))
    kinds = [row.kind for row in rows]
    assert kinds == ["fold", "same", "same", "same", "change", "same", "same", "same", "fold"]
    assert len(rows[0].rows) == 7 and isinstance(rows[-1], Fold) and len(rows[-1].rows) == 6


def test_short_unchanged_stretches_stay_open():
    rows = folded(instructions_diff("a\nb\nc", "a\nB\nc"))
    assert [row.kind for row in rows] == ["same", "change", "same"]


def test_the_shared_comparison_template_marks_words_and_folds():
    lines = [f"Rule {n}." for n in range(1, 21)]
    html = render_to_string("assistants/_comparison.html", {
        "comparison": compare({"instructions": "\n".join(lines)},
                              {"instructions": "\n".join([*lines[:10], "Rule 11, said kindly.", *lines[11:]])}),
        "left_label": "Main", "right_label": "Candidate"})
    assert 'Rule 11<ins class="diff-word">, said kindly</ins>.' in html
    assert "7 unchanged lines" in html and "6 unchanged lines" in html


def test_a_removed_sentence_reads_as_whole_words_and_pieces_rebuild_both_texts():
    before = "Greet the caller. Ask for the order number. Say goodbye."
    after = "Greet the caller. Say goodbye."
    left, right = word_diff(before, after)
    assert ("Ask for the order number. ", True) in left
    assert "".join(t for t, _ in left) == before and "".join(t for t, _ in right) == after
