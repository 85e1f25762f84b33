"""The pure canary-rule functions: normalising old shapes, weights, splits, routing, and the
editor's form parsing (no database, no HTTP)."""

from __future__ import annotations

from django.http import QueryDict

from assistants.canary.rules import Share, normalise_canary, parse_weight, route, rule_shares, sum_error
from assistants.forms.canary import apply_op, rows_from_post, rows_from_rules, validate_rows

MAIN = "v-main"
RULES = [
    {"match": [{"attribute": "from", "operator": "starts_with", "values": ["+1555"]},
               {"attribute": "channel", "operator": "in", "values": ["sms_chat"]}],
     "serve": {"version_id": "v-sms"}},
    {"match": [{"attribute": "to", "operator": "not_in", "values": ["+18005550100"]}],
     "serve": {"rollout": [{"version_id": "v-new", "weight": 20}, {"version_id": "v-exp", "weight": 5}]}},
    {"serve": {"rollout": [{"version_id": "v-new", "weight": 10}]}},
]


def test_seed_shaped_versions_become_one_catch_all_rollout():
    rules = normalise_canary({"versions": [{"version_id": "v-new", "percentage": 30}]})
    assert rules == [{"serve": {"rollout": [{"version_id": "v-new", "weight": 30.0}]}}]
    assert rule_shares(rules[0], MAIN) == [Share("v-new", 30.0), Share(MAIN, 70.0, is_main=True)]


def test_rules_shape_is_kept_and_empty_match_dropped():
    rules = normalise_canary({"rules": [{"serve": {"version_id": "v-a"}, "match": []}]})
    assert rules == [{"serve": {"version_id": "v-a"}}]
    assert normalise_canary(None) == [] and normalise_canary({"rules": []}) == []


def test_rollout_split_gives_main_the_remainder():
    shares = rule_shares(RULES[1], MAIN)
    assert [(s.version_id, s.percent, s.is_main) for s in shares] == [
        ("v-new", 20.0, False), ("v-exp", 5.0, False), (MAIN, 75.0, True)]


def test_weights_are_checked_one_by_one_and_their_sum_under_100():
    assert parse_weight("20") == (20.0, "")
    assert parse_weight("12.5") == (12.5, "")
    assert parse_weight("101")[1] == "Must be between 0 and 100."
    assert parse_weight("-1")[1] == "Must be between 0 and 100."
    assert parse_weight("abc")[1] == "Enter a number."
    assert parse_weight("")[1] == "Enter a weight."
    assert sum_error([60, 39.5]) == ""
    assert "less than 100%" in sum_error([60, 40])


def test_first_matching_rule_wins_and_clauses_are_anded():
    sms = route(RULES, {"from": "+15551234", "channel": "sms_chat"}, main_version_id=MAIN)
    assert sms.rule_index == 0 and sms.shares == [Share("v-sms", 100.0)]
    # The first clause alone is not enough: the second rule (to not_in ...) catches it.
    voice = route(RULES, {"from": "+15551234", "channel": "phone_call", "to": "+4930"}, main_version_id=MAIN)
    assert voice.rule_index == 1 and voice.shares[-1] == Share(MAIN, 75.0, is_main=True)
    # "to" is excluded from rule 2, so the catch-all decides.
    assert route(RULES, {"to": "+18005550100"}, main_version_id=MAIN).rule_index == 2


def test_no_matching_rule_goes_to_main():
    outcome = route(RULES[:1], {"from": "+4930"}, main_version_id=MAIN)
    assert outcome.rule_index is None and outcome.shares == [Share(MAIN, 100.0, is_main=True)]


def test_editor_round_trips_rules_and_flags_each_bad_weight():
    rows = rows_from_rules(RULES)
    assert [r.mode for r in rows] == ["version", "rollout", "rollout"]
    post = QueryDict(mutable=True)
    post.update({"r0-mode": "rollout", "r0-s0-version": "v-new", "r0-s0-weight": "120",
                 "r0-s1-version": "v-exp", "r0-s1-weight": "abc",
                 "r1-mode": "rollout", "r1-s0-version": "v-new", "r1-s0-weight": "60",
                 "r1-s1-version": "v-exp", "r1-s1-weight": "40"})
    rows = rows_from_post(post)
    assert validate_rows(rows, {"v-new", "v-exp"}) is None
    assert rows[0].slots[0].weight_error == "Must be between 0 and 100."
    assert rows[0].slots[1].weight_error == "Enter a number."
    assert rows[1].slots[0].weight_error == "" and "less than 100%" in rows[1].rollout_error


def test_editor_builds_the_rules_body_from_valid_input():
    post = QueryDict(mutable=True)
    post.update({"r0-mode": "version", "r0-version": "v-sms", "r0-c0-attribute": "from",
                 "r0-c0-operator": "starts_with", "r0-c0-values": "+1555, +1666",
                 "r1-mode": "rollout", "r1-s0-version": "v-new", "r1-s0-weight": "20"})
    rules = validate_rows(rows_from_post(post), {"v-sms", "v-new"})
    assert rules == [
        {"serve": {"version_id": "v-sms"},
         "match": [{"attribute": "from", "operator": "starts_with", "values": ["+1555", "+1666"]}]},
        {"serve": {"rollout": [{"version_id": "v-new", "weight": 20.0}]}},
    ]


def test_structural_ops_add_and_remove_rules_clauses_and_rows():
    rows = rows_from_rules(RULES)
    rows = apply_op(rows, "add_rule")
    assert len(rows) == 4 and len(rows[3].slots) == 1
    rows = apply_op(rows, "add_clause-3")
    assert len(rows[3].clauses) == 1
    rows = apply_op(rows, "remove_slot-1-0")
    assert [s.version_id for s in rows[1].slots] == ["v-exp"]
    rows = apply_op(rows, "remove_rule-0")
    assert len(rows) == 3 and rows[0].slots[0].version_id == "v-exp"
    assert apply_op(rows, "remove_rule-99") == rows  # stale positions are ignored


def test_the_summary_in_words_covers_who_falls_through_and_stops_at_a_catch_all():
    from assistants.canary.display import VersionLabels, summary_in_words

    labels = VersionLabels([{"id": "v7", "name": "v7"}, {"id": "m", "name": "rev 1"}], "m")
    pinned = {"match": [{"attribute": "to", "operator": "in", "values": ["+1", "+2"]}], "serve": {"version_id": "v7"}}
    assert summary_in_words([pinned], labels) == "callers whose to is +1, +2: 100% v7; everyone else: 100% main"
    catch_all = {"serve": {"rollout": [{"version_id": "v7", "weight": 12.5}]}}
    assert summary_in_words([catch_all, pinned], labels) == "everyone: 12.5% v7, 87.5% main"  # the rest is never reached
    assert summary_in_words([], labels) == "everyone: 100% main"
