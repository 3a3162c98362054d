"""Writes a language model's generated text after every epoch."""

import os

import keras

from keras_gen.atomic_files import atomic_path
from keras_gen.callbacks.stop_on_non_finite import stopped_for_non_finite


class TextSampleCallback(keras.callbacks.Callback):
    """After each epoch, writes `make_texts(model)`'s texts and prints the first lines.

    `make_texts` returns `{name: text}`; each becomes `epochs/<name>_epoch_<NNN>.txt` and,
    overwritten each epoch, `<name>.txt`. Use a fixed prompt and seed inside `make_texts` so the
    texts of successive epochs show what training changed, not what the dice did.

    Args:
        output_dir: str. Folder for the text files.
        make_texts: callable `(model) -> {name: str}`.
        print_lines: int. Lines of each text echoed under the progress bar (0: none).

    `latest_files` holds the names of the `<name>.txt` files it has written in `output_dir`.
    """

    def __init__(self, output_dir, make_texts, print_lines=4):
        super().__init__()
        self.output_dir = output_dir
        self.make_texts = make_texts
        self.print_lines = print_lines
        self.latest_files = set()

    def on_epoch_end(self, epoch, logs=None):
        if stopped_for_non_finite(self.model):  # no pictures of broken weights
            return
        os.makedirs(os.path.join(self.output_dir, "epochs"), exist_ok=True)
        for name, text in self.make_texts(self.model).items():
            epoch_path = os.path.join(self.output_dir, "epochs",
                                      f"{name}_epoch_{epoch + 1:03d}.txt")
            self.latest_files.add(f"{name}.txt")
            for path in (epoch_path, os.path.join(self.output_dir, f"{name}.txt")):
                with atomic_path(path) as temporary:
                    with open(temporary, "w", encoding="utf-8") as file:
                        file.write(text)
            if self.print_lines:
                shown = "\n".join(text.strip("\n").splitlines()[:self.print_lines])
                print(f"\n{name} after epoch {epoch + 1}:\n{shown}\n")
