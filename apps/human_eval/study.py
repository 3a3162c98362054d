"""A study folder: the images drawn once, and each rater's plan of trials.

The images are drawn when the study is made and saved (`items/<random id>.png`), so a study can
be stopped, resumed and audited: every rater of a study judges the same pictures, and anyone can
look at exactly what was shown. Real and generated images are written the same way (8-bit
greyscale PNG, no metadata, in shuffled order) so neither the file nor its name gives away its
source.
"""

import os
import random

import numpy as np

from apps.human_eval.store import STUDY_FILE, StudyStore, new_id

ITEMS_FOLDER = "items"
REAL = "real"


class StudyError(Exception):
    """A study that cannot be made or opened as asked; the message is the app's one line."""


def study_path(folder):
    return os.path.join(folder, STUDY_FILE)


def write_png(path, image):
    """`image` uint8 `(h, w, 1)` or `(h, w, 3)`, saved with Pillow (matplotlib's dependency)."""
    from PIL import Image

    array = image[..., 0] if image.shape[-1] == 1 else image
    Image.fromarray(array).save(path, format="PNG")


def to_uint8(images):
    """Images in [0, 1] to 8-bit, as real images are stored."""
    return np.clip(np.round(np.asarray(images) * 255.0), 0, 255).astype("uint8")


def create_study(folder, sources, settings, seed):
    """Writes the study: `sources` maps each source ("real" or a model's label) to its uint8
    images; `settings` is stored as the study's record. Only files it makes are written (the
    folder may hold others); if writing fails, those files are removed again."""
    items_folder = os.path.join(folder, ITEMS_FOLDER)
    os.makedirs(folder, exist_ok=True)
    os.mkdir(items_folder)  # fails if there: a folder we did not make is not ours to fill
    rows = [(new_id(), source, index) for source, images in sources.items()
            for index in range(len(images))]
    random.Random(seed).shuffle(rows)  # write order (and so file times) says nothing either
    written = []
    try:
        for item_id, source, index in rows:
            file_name = f"{item_id}.png"
            write_png(os.path.join(items_folder, file_name), sources[source][index])
            written.append(file_name)
        StudyStore(study_path(folder)).create(
            settings, [(item_id, source, index, f"{item_id}.png") for item_id, source, index in rows])
    except BaseException:
        for file_name in written:
            os.remove(os.path.join(items_folder, file_name))
        os.rmdir(items_folder)
        if os.path.exists(study_path(folder)):
            os.remove(study_path(folder))
        raise


def open_study(folder):
    """The study's store, or StudyError when `folder` holds none."""
    path = study_path(folder)
    if not os.path.isfile(path):
        raise StudyError(f"{folder} holds no study ({STUDY_FILE} is missing); make one with "
                         "--models A.keras B.keras --dataset mnist --study " + folder)
    store = StudyStore(path)
    try:
        store.settings()
    except Exception as error:  # sqlite3.DatabaseError: not a database, or not ours
        raise StudyError(f"{path} is not a readable study file ({error}); restore it or "
                         "choose another --study") from None
    return store


def plan_trials(items_by_source, models, turing_trials, side_by_side_trials, rng):
    """One rater's trials: `[(task, left_item, right_item or None), ...]`.

    Turing trials: half real images, half generated, the generated half shared out evenly
    between the models, each image at most once per rater, in random order. Side-by-side
    trials cycle through the comparisons (each model against real, then each pair of models),
    with a random image from each side and a random side for each.
    """
    real = rng.sample(items_by_source[REAL], turing_trials // 2)
    generated = []
    for index in range(turing_trials // 2):
        generated.append(models[index % len(models)])
    draws = {model: iter(rng.sample(items_by_source[model], generated.count(model)))
             for model in models}
    turing = [("turing", item, None) for item in real] + \
             [("turing", next(draws[model]), None) for model in generated]
    rng.shuffle(turing)
    comparisons = [(REAL, model) for model in models] + \
                  [(a, b) for i, a in enumerate(models) for b in models[i + 1:]]
    side_by_side = []
    for index in range(side_by_side_trials):
        pair = [rng.choice(items_by_source[source]) for source in comparisons[index % len(comparisons)]]
        rng.shuffle(pair)
        side_by_side.append(("side_by_side", pair[0], pair[1]))
    return turing + side_by_side
