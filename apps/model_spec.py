"""What the training app needs to know about one model family, and nothing the model itself
already says: shapes and value ranges come from the model (keras_gen.models.protocol)."""

import dataclasses
from typing import Callable

from apps.compile_recipes import compile_single_objective


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One trainable family as the apps see it.

    Attributes:
        model_class: str. The class's name in `keras_gen.models`; built from the preset's
            `model` settings (plus a vocabulary learnt from the data, for text).
        previews: `(model, test_data, preset) -> {name: images, picture function or text}` for
            the per-epoch PNG grids (or texts).
        evaluate: `(model, test_data, preset) -> {metric: float}` after training.
        compile: `(model, preset, learning_rate) -> None`.
        data_options: keyword arguments for `keras_gen.data.load_images` besides the value
            range (which is the model's): `binarize`, `with_labels`.
        test_binarize: binarization of the fixed test set (None, "fixed", ...).
        validate: bool. Pass the test set to fit() as validation data (models with a loss).
        loss_panels: list of lists of metric names drawn on one panel each, or None (one panel
            per metric).
        grid_columns: int. Width of the PNG grids.
        initialize: `(model, train_data) -> None` run once on a new model before compiling
            (data-dependent initialisation), or None.
        text: bool. Trains on a character corpus: the model is built after the data (it needs
            the tokenizer's `vocabulary`), training data are random windows, `previews`
            returns `{name: text}` and `evaluate` gets `(x, y)` validation windows.
        sample_options: `(preset) -> dict` of keyword arguments for `model.sample` when the
            apps judge samples (FID, KID, ...): a DDPM's sampler and steps. None: no options.
        watch_collapse: bool. Train with the mode-collapse watch (`ModeCollapseMonitor`):
            modes covered on 2-D data, sample diversity on images (the GANs).

    Sample quality is not a spec's business: the apps measure it for every model that samples
    images (`apps/judging.py`), through the protocol.
    """

    model_class: str
    previews: Callable
    evaluate: Callable
    compile: Callable = compile_single_objective
    data_options: dict = dataclasses.field(default_factory=dict)
    test_binarize: object = None
    validate: bool = True
    loss_panels: list = None
    grid_columns: int = 8
    initialize: Callable = None
    text: bool = False
    sample_options: Callable = None
    watch_collapse: bool = False

    def sampling_options(self, preset):
        return {} if self.sample_options is None else self.sample_options(preset)

    def build(self, model_arguments):
        import keras_gen.models

        return getattr(keras_gen.models, self.model_class)(**model_arguments)
