"""The study's web pages (Flask): a welcome page, the trials one by one, the results.

A rater's identity is a random id in Flask's signed session cookie (its key is kept in the
study file, so a restarted server still knows its raters); each browser is one rater, and a
rater can only see and answer their own trials. Images are served by item id only, looked up in
the study file: no path a request names is ever opened, so nothing outside `items/` is served.
Every refusal is a 4xx page with one line saying what was wrong, and writes nothing.
"""

import os
import random
import re

from flask import Flask, abort, redirect, render_template, request, send_from_directory, session

from apps.human_eval.report import study_report
from apps.human_eval.store import CONFIDENCES, AnswerRefused
from apps.human_eval.study import ITEMS_FOLDER, plan_trials

ID_PATTERN = re.compile(r"[0-9a-f]{16}")
MAX_NAME_LENGTH = 80


def create_app(folder, store):
    """The Flask app serving the study in `folder` (its `StudyStore` is `store`)."""
    settings = store.settings()
    models = settings["models"]
    items_by_source = store.items_by_source()
    app = Flask(__name__)
    app.secret_key = settings["secret_key"]
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", MAX_CONTENT_LENGTH=16 * 1024)

    def refuse(status, message):
        return render_template("refused.html", status=status, message=message), status

    def current_rater():
        rater_id = session.get("rater_id")
        return rater_id if rater_id and store.has_rater(rater_id) else None

    @app.after_request
    def no_caching(response):
        # A cached page could show a trial already answered, or one rater's page to another.
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/")
    def welcome():
        return render_template("welcome.html", rater=current_rater(), settings=settings)

    @app.post("/start")
    def start():
        name = request.form.get("name", "").strip()
        if len(name) > MAX_NAME_LENGTH:
            return refuse(400, f"the name is longer than {MAX_NAME_LENGTH} characters; "
                               "use a shorter one (or none)")
        if current_rater():
            return redirect("/next", code=303)
        plan = plan_trials(items_by_source, models, settings["turing_trials"],
                           settings["side_by_side_trials"], random.SystemRandom())
        session["rater_id"] = store.add_rater(name or "anonymous", plan)
        return redirect("/next", code=303)

    @app.get("/next")
    def next_trial():
        rater_id = current_rater()
        if rater_id is None:
            return redirect("/", code=303)
        trial, position, total = store.next_trial(rater_id)
        if trial is None:
            return render_template("done.html", total=total)
        template = "turing.html" if trial["task"] == "turing" else "side_by_side.html"
        return render_template(template, trial=trial, number=position + 1, total=total,
                               confidences=CONFIDENCES)

    @app.post("/answer")
    def answer():
        rater_id = current_rater()
        if rater_id is None:
            return refuse(403, "no rater session: start one at / before answering")
        trial_id = request.form.get("trial_id", "")
        if not ID_PATTERN.fullmatch(trial_id):
            return refuse(400, "the answer has no valid trial_id field; answer the trials "
                               "shown at /next")
        confidence = request.form.get("confidence") or None
        if confidence is not None:
            if confidence not in [str(c) for c in CONFIDENCES]:
                return refuse(400, f"confidence must be one of "
                                   f"{', '.join(map(str, CONFIDENCES))} (or left out); got "
                                   f"{confidence[:20]!r}")
            confidence = int(confidence)
        try:
            store.record_answer(rater_id, trial_id, request.form.get("answer", ""), confidence)
        except AnswerRefused as refusal:
            return refuse(refusal.status, str(refusal))
        return redirect("/next", code=303)

    @app.get("/images/<item_id>.png")
    def image(item_id):
        file_name = store.item_file(item_id) if ID_PATTERN.fullmatch(item_id) else None
        if file_name is None:
            abort(404)
        return send_from_directory(os.path.join(os.path.abspath(folder), ITEMS_FOLDER),
                                   file_name, mimetype="image/png")

    @app.get("/results")
    def results():
        report = study_report(store.answers(), models)
        return render_template("results.html", report=report)

    @app.errorhandler(404)
    def not_found(error):
        return refuse(404, f"nothing here: {request.path[:200]}")

    @app.errorhandler(405)
    def wrong_method(error):
        return refuse(405, f"{request.method} is not accepted at {request.path[:200]}")

    @app.errorhandler(413)
    def too_large(error):
        return refuse(413, "the request body is too large for an answer")

    return app
