"""The study's results from its stored answers: fooling rates, preferences, rater accuracy.

Every rate is a count out of a number of judgements, reported with its 95% Wilson interval
(`keras_gen.metrics.wilson_interval`): a few dozen human answers leave wide intervals, and the
table says so rather than printing bare percentages.
"""

import statistics

from apps.human_eval.study import REAL
from keras_gen.evaluation.markdown_table import markdown_table
from keras_gen.metrics.binomial_interval import wilson_interval


def rate(count, total):
    low, high = wilson_interval(count, total)
    row = {"count": count, "judgements": total,
           "rate": count / total if total else float("nan"), "low": low, "high": high}
    row["interval"] = interval_text(row)
    return row


def chosen_source(answer):
    return answer["shown_sources"][0 if answer["answer"] == "left" else 1]


def study_report(answers, models):
    """The results as a dict of three lists of rows (`turing`, `side_by_side`, `raters`) plus
    the Turing test's overall error rate on the mix shown."""
    turing = [a for a in answers if a["task"] == "turing"]
    side_by_side = [a for a in answers if a["task"] == "side_by_side"]
    turing_rows = []
    for source in models + [REAL]:
        shown = [a for a in turing if a["shown_sources"][0] == source]
        row = rate(sum(a["answer"] == "real" for a in shown), len(shown))
        row.update(source=source, raters=len({a["rater_id"] for a in shown}),
                   measure="fooling rate (judged real)" if source != REAL
                   else "real judged real (baseline)")
        turing_rows.append(row)
    errors = sum((a["answer"] == "real") != (a["shown_sources"][0] == REAL) for a in turing)
    comparisons = [(model, REAL) for model in models] + \
                  [(a, b) for i, a in enumerate(models) for b in models[i + 1:]]
    preference_rows = []
    for first, second in comparisons:
        shown = [a for a in side_by_side if sorted(a["shown_sources"]) == sorted([first, second])]
        row = rate(sum(chosen_source(a) == first for a in shown), len(shown))
        row.update(comparison=f"{first} vs {second}", preferred=first,
                   raters=len({a["rater_id"] for a in shown}))
        preference_rows.append(row)
    rater_rows = []
    for rater_id in sorted({a["rater_id"] for a in answers}):
        own = [a for a in turing if a["rater_id"] == rater_id]
        correct = sum((a["answer"] == "real") == (a["shown_sources"][0] == REAL) for a in own)
        row = rate(correct, len(own))
        everything = [a for a in answers if a["rater_id"] == rater_id]
        row.update(rater=rater_id, name=everything[0]["name"],
                   side_by_side_judgements=sum(a["task"] == "side_by_side" for a in everything),
                   median_response_ms=statistics.median(a["response_ms"] for a in everything))
        rater_rows.append(row)
    return {"num_answers": len(answers), "num_raters": len(rater_rows),
            "turing_error_rate": rate(errors, len(turing)),
            "turing": turing_rows, "side_by_side": preference_rows, "raters": rater_rows}


def interval_text(row):
    if not row["judgements"]:
        return "—"
    return f"{row['rate']:.1%} [{row['low']:.1%}, {row['high']:.1%}]"


def report_markdown(report):
    overall = report["turing_error_rate"]
    return "\n\n".join([
        f"{report['num_answers']} answers from {report['num_raters']} "
        f"rater{'' if report['num_raters'] == 1 else 's'}. Turing test "
        f"error rate on the mix shown (HYPE; 50% = indistinguishable): {interval_text(overall)} "
        f"of {overall['judgements']} judgements (95% Wilson intervals throughout).",
        "Turing test, per source:\n\n" + markdown_table(report["turing"], [
            ("source", "source"), ("measure", "measure"), ("rate [95% CI]", "interval"),
            ("judged real", "count"), ("judgements", "judgements"), ("raters", "raters")]),
        "Side by side, which looks more real:\n\n" + markdown_table(report["side_by_side"], [
            ("comparison", "comparison"), ("preferred", "preferred"),
            ("rate [95% CI]", "interval"), ("times", "count"), ("judgements", "judgements"),
            ("raters", "raters")]),
        "Raters, Turing test accuracy:\n\n" + markdown_table(report["raters"], [
            ("rater", "rater"), ("name", "name"), ("accuracy [95% CI]", "interval"),
            ("correct", "count"), ("Turing judgements", "judgements"),
            ("side-by-side judgements", "side_by_side_judgements"),
            ("median response (ms)", "median_response_ms")]),
    ])
