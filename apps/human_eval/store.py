"""The study's SQLite file: what was drawn, who rated, what each rater was shown and answered.

One file holds everything a study is, so it survives a server restart and can be audited or
copied whole. Each request opens its own connection (SQLite connections do not cross threads)
and every write is one transaction, so two raters answering at the same moment cannot mix or
half-write their rows; an answer's trial id is its primary key, so a second answer to the same
trial is refused by the database itself, not by a check a parallel request could slip past.
"""

import contextlib
import json
import secrets
import sqlite3
import time

STUDY_FILE = "study.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS study (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- One row per image shown to raters. item_id is random: nothing in a URL or a file name tells
-- a rater where an image came from. source is "real" or a model's label.
CREATE TABLE IF NOT EXISTS items (
    item_id TEXT PRIMARY KEY, source TEXT NOT NULL, source_index INTEGER NOT NULL,
    file_name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS raters (
    rater_id TEXT PRIMARY KEY, name TEXT NOT NULL, started_at TEXT NOT NULL);
-- Each rater's plan, drawn when they start: position orders it; right_item is NULL for a
-- Turing trial (one image). shown_at: when /next last showed it (for the response time).
CREATE TABLE IF NOT EXISTS trials (
    trial_id TEXT PRIMARY KEY, rater_id TEXT NOT NULL REFERENCES raters(rater_id),
    position INTEGER NOT NULL, task TEXT NOT NULL CHECK (task IN ('turing', 'side_by_side')),
    left_item TEXT NOT NULL REFERENCES items(item_id), right_item TEXT REFERENCES items(item_id),
    shown_at REAL, UNIQUE (rater_id, position));
-- One row per answer, with what was shown copied in so the table reads on its own.
CREATE TABLE IF NOT EXISTS answers (
    trial_id TEXT PRIMARY KEY REFERENCES trials(trial_id), rater_id TEXT NOT NULL,
    task TEXT NOT NULL, items TEXT NOT NULL, shown_sources TEXT NOT NULL, answer TEXT NOT NULL,
    confidence INTEGER, response_ms INTEGER NOT NULL, answered_at TEXT NOT NULL);
"""

TURING_ANSWERS = ("real", "generated")
SIDE_BY_SIDE_ANSWERS = ("left", "right")
CONFIDENCES = (1, 2, 3)  # 1: a guess, 2: fairly sure, 3: sure


class AnswerRefused(Exception):
    """An answer the study cannot take; `status` is the HTTP code that says why."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def new_id():
    return secrets.token_hex(8)


def utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class StudyStore:
    """The study's tables in `path` (created by `create`)."""

    def __init__(self, path):
        self.path = path

    @contextlib.contextmanager
    def connect(self):
        """One connection, one transaction: committed on success, rolled back on any error."""
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    def create(self, settings, items):
        """Writes a new study: `settings` (a dict, stored as JSON values) and `items`
        (`(item_id, source, source_index, file_name)` rows)."""
        connection = sqlite3.connect(self.path)
        try:
            connection.executescript(SCHEMA)
            with connection:
                connection.executemany("INSERT INTO study VALUES (?, ?)",
                                       [(k, json.dumps(v)) for k, v in settings.items()])
                connection.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", items)
        finally:
            connection.close()

    def settings(self):
        with self.connect() as connection:
            rows = connection.execute("SELECT key, value FROM study").fetchall()
        return {row["key"]: json.loads(row["value"]) for row in rows}

    def items_by_source(self):
        """`{source: [item_id, ...]}` in the order they were drawn."""
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT item_id, source FROM items ORDER BY source, source_index").fetchall()
        by_source = {}
        for row in rows:
            by_source.setdefault(row["source"], []).append(row["item_id"])
        return by_source

    def item_file(self, item_id):
        with self.connect() as connection:
            row = connection.execute("SELECT file_name FROM items WHERE item_id = ?",
                                     (item_id,)).fetchone()
        return None if row is None else row["file_name"]

    def add_rater(self, name, plan):
        """A new rater with their plan (`[(task, left_item, right_item or None), ...]`);
        returns the rater id."""
        rater_id = new_id()
        with self.connect() as connection:
            connection.execute("INSERT INTO raters VALUES (?, ?, ?)", (rater_id, name, utc_now()))
            connection.executemany(
                "INSERT INTO trials (trial_id, rater_id, position, task, left_item, right_item) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(new_id(), rater_id, position, task, left, right)
                 for position, (task, left, right) in enumerate(plan)])
        return rater_id

    def has_rater(self, rater_id):
        with self.connect() as connection:
            return connection.execute("SELECT 1 FROM raters WHERE rater_id = ?",
                                      (rater_id,)).fetchone() is not None

    def next_trial(self, rater_id):
        """`(trial row, position, total)` of the rater's first unanswered trial, marked as
        shown now; `(None, total, total)` when all are answered."""
        with self.connect() as connection:
            total = connection.execute("SELECT COUNT(*) FROM trials WHERE rater_id = ?",
                                       (rater_id,)).fetchone()[0]
            row = connection.execute(
                "SELECT * FROM trials WHERE rater_id = ? AND trial_id NOT IN "
                "(SELECT trial_id FROM answers) ORDER BY position LIMIT 1", (rater_id,)).fetchone()
            if row is None:
                return None, total, total
            connection.execute("UPDATE trials SET shown_at = ? WHERE trial_id = ?",
                               (time.time(), row["trial_id"]))
        return dict(row), row["position"], total

    def record_answer(self, rater_id, trial_id, answer, confidence):
        """Stores one answer, or raises AnswerRefused (nothing written)."""
        with self.connect() as connection:
            trial = connection.execute("SELECT * FROM trials WHERE trial_id = ?",
                                       (trial_id,)).fetchone()
            # Another rater's trial is "unknown" too: a rater learns nothing about others.
            if trial is None or trial["rater_id"] != rater_id:
                raise AnswerRefused(404, f"unknown trial {trial_id!r}: answer the trials "
                                         "shown at /next")
            if connection.execute("SELECT 1 FROM answers WHERE trial_id = ?",
                                  (trial_id,)).fetchone():
                raise AnswerRefused(409, f"trial {trial_id} is already answered; answers "
                                         "cannot be changed")
            if trial["shown_at"] is None:
                raise AnswerRefused(409, f"trial {trial_id} has not been shown yet; answer "
                                         "the trial shown at /next")
            allowed = TURING_ANSWERS if trial["task"] == "turing" else SIDE_BY_SIDE_ANSWERS
            if answer not in allowed:
                raise AnswerRefused(400, f"answer must be one of {', '.join(allowed)} for a "
                                         f"{trial['task']} trial; got {answer!r}")
            shown = [trial["left_item"]] + ([trial["right_item"]] if trial["right_item"] else [])
            sources = [connection.execute("SELECT source FROM items WHERE item_id = ?",
                                          (item,)).fetchone()["source"] for item in shown]
            response_ms = int(round((time.time() - trial["shown_at"]) * 1000))
            connection.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (trial_id, rater_id, trial["task"], json.dumps(shown), json.dumps(sources),
                 answer, confidence, response_ms, utc_now()))

    def answers(self):
        """Every answer as a dict, `items` and `shown_sources` as lists."""
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT answers.*, raters.name FROM answers JOIN raters USING (rater_id) "
                "ORDER BY answers.answered_at, answers.rowid").fetchall()
        answers = [dict(row) for row in rows]
        for answer in answers:
            answer["items"] = json.loads(answer["items"])
            answer["shown_sources"] = json.loads(answer["shown_sources"])
        return answers
