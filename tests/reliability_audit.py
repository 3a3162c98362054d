"""The reliability audit: every bad input and fault a new user is likely to try, across the apps
and the library, each judged the same way. Not part of `make test` (it trains six tiny models
and runs every case); the cases that once failed are kept as tests in
tests/apps/test_fault_injection.py.

    KERAS_BACKEND=jax python -m tests.reliability_audit [--only SUBSTRING] [--json FILE]

A case passes when
- a refusal is expected: exit code 2, no traceback, the last line of stderr is the app's
  `prog: error: ...` line and holds the expected words, and every file in the workspace is
  byte-identical afterwards (SHA-256) with nothing added;
- success is expected: exit code 0, no traceback, every file there before byte-identical;
- a library call should be refused: it raises ValueError or TypeError (keras_gen's own errors
  derive from them) with a one-line message holding the expected words, not an error from deep
  inside TensorFlow, JAX or torch.

The apps run in this process (as tests/conftest.py runs them), so the backend is imported once.
"""

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from typing import NamedTuple, Optional

import numpy as np

from tests.app_runner import run_app_in_process
from tests.apps.test_file_ownership import hashes


REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Case(NamedTuple):
    name: str
    target: object  # an app's name ("train", "sample", ...) or a callable(workspace)
    arguments: tuple = ()  # app arguments; "{w}" is the workspace folder
    refuse: Optional[str] = ""  # words the refusal's line holds; None: success is expected


def refused(name, app, arguments, words=""):
    return Case(name, app, tuple(arguments), words)


def succeeds(name, app, arguments):
    return Case(name, app, tuple(arguments), None)


TINY_VAE = ("--model", "vae", "--preset", "tiny", "--subset", "64", "--test-subset", "32",
            "--epochs", "1")
NEW_RUN = ("--output", "{w}/new_run")


# --- training --------------------------------------------------------------------------------
TRAIN = [
    refused("train: unknown model", "train", ["--model", "gan9000", *NEW_RUN], "invalid choice"),
    refused("train: no --model", "train", [*NEW_RUN], "--model"),
    refused("train: unknown dataset", "train", [*TINY_VAE, "--dataset", "cifar", *NEW_RUN],
            "invalid choice"),
    refused("train: text data for an image model", "train",
            [*TINY_VAE, "--dataset", "tiny_shakespeare", *NEW_RUN], "tiny_shakespeare"),
    refused("train: images for a language model", "train",
            ["--model", "mini_gpt", "--preset", "tiny", "--dataset", "mnist", *NEW_RUN], "mnist"),
    refused("train: 2-D data for a conditional GAN", "train",
            ["--model", "cgan", "--preset", "tiny", "--dataset", "ring", *NEW_RUN], "ring"),
    refused("train: 2-D data for the VAE", "train", [*TINY_VAE, "--dataset", "moons", *NEW_RUN],
            "moons"),
    refused("train: unknown preset", "train", ["--model", "vae", "--preset", "huge", *NEW_RUN],
            "huge"),
    refused("train: --epochs 0", "train", [*TINY_VAE, "--epochs", "0", *NEW_RUN],
            "positive integer"),
    refused("train: --epochs -3", "train", [*TINY_VAE, "--epochs", "-3", *NEW_RUN],
            "positive integer"),
    refused("train: --epochs words", "train", [*TINY_VAE, "--epochs", "ten", *NEW_RUN],
            "positive integer"),
    refused("train: --epochs 1.5", "train", [*TINY_VAE, "--epochs", "1.5", *NEW_RUN],
            "positive integer"),
    refused("train: --batch-size 0", "train", [*TINY_VAE, "--batch-size", "0", *NEW_RUN],
            "positive integer"),
    refused("train: --batch-size -8", "train", [*TINY_VAE, "--batch-size", "-8", *NEW_RUN],
            "positive integer"),
    refused("train: --learning-rate 0", "train", [*TINY_VAE, "--learning-rate", "0", *NEW_RUN],
            "positive"),
    refused("train: --learning-rate -1", "train", [*TINY_VAE, "--learning-rate", "-1", *NEW_RUN],
            "positive"),
    refused("train: --learning-rate nan", "train",
            [*TINY_VAE, "--learning-rate", "nan", *NEW_RUN], "positive"),
    refused("train: --learning-rate inf", "train",
            [*TINY_VAE, "--learning-rate", "inf", *NEW_RUN], "finite"),
    refused("train: --learning-rate words", "train",
            [*TINY_VAE, "--learning-rate", "fast", *NEW_RUN], "positive number"),
    refused("train: --subset 0", "train", [*TINY_VAE[:4], "--subset", "0", *NEW_RUN],
            "positive integer"),
    refused("train: --test-subset 0", "train", [*TINY_VAE[:6], "--test-subset", "0", *NEW_RUN],
            "positive integer"),
    refused("train: --subset beyond the training set", "train",
            [*TINY_VAE[:4], "--subset", "70000", "--test-subset", "32", *NEW_RUN], "60,000"),
    refused("train: --test-subset beyond the test set", "train",
            [*TINY_VAE[:6], "--test-subset", "20000", *NEW_RUN], "10,000"),
    succeeds("train: --batch-size beyond --subset (one smaller batch)", "train",
             [*TINY_VAE, "--batch-size", "128", *NEW_RUN]),
    refused("train: --seed -1", "train", [*TINY_VAE, "--seed", "-1", *NEW_RUN], "--seed"),
    refused("train: --seed words", "train", [*TINY_VAE, "--seed", "abc", *NEW_RUN], "--seed"),
    refused("train: --seed too big", "train", [*TINY_VAE, "--seed", str(2 ** 40), *NEW_RUN],
            "--seed"),
    refused("train: --output empty", "train", [*TINY_VAE, "--output", ""], "--output is empty"),
    refused("train: --output a file", "train", [*TINY_VAE, "--output", "{w}/notes.txt"],
            "is a file"),
    refused("train: --output under a file", "train",
            [*TINY_VAE, "--output", "{w}/notes.txt/run"], "cannot be made"),
    refused("train: --output the user's folder", "train", [*TINY_VAE, "--output", "{w}/pictures"],
            "not a keras_gen run"),
    refused("train: --overwrite on the user's folder", "train",
            [*TINY_VAE, "--output", "{w}/pictures", "--overwrite"], "new or empty folder"),
    refused("train: --image-folder missing", "train",
            [*TINY_VAE, "--image-folder", "{w}/no_such_folder", *NEW_RUN], "no_such_folder"),
    refused("train: --image-folder without images", "train",
            [*TINY_VAE, "--image-folder", "{w}/empty_folder", *NEW_RUN], "holds no"),
    refused("train: --image-folder of text files", "train",
            [*TINY_VAE, "--image-folder", "{w}/text_folder", *NEW_RUN], "holds no"),
    refused("train: --image-folder with a corrupt picture", "train",
            [*TINY_VAE, "--image-folder", "{w}/corrupt_images", *NEW_RUN], "broken.png"),
    succeeds("train: --image-folder of three pictures", "train",
             [*TINY_VAE[:4], "--image-folder", "{w}/three_images", *NEW_RUN]),
    refused("train: --image-folder for a language model", "train",
            ["--model", "mini_gpt", "--preset", "tiny", "--image-folder", "{w}/three_images",
             *NEW_RUN], "--image-folder"),
    refused("train: --text-file missing", "train",
            ["--model", "mini_gpt", "--preset", "tiny", "--text-file", "{w}/nothing.txt",
             *NEW_RUN], "nothing.txt"),
    refused("train: --text-file not UTF-8", "train",
            ["--model", "mini_gpt", "--preset", "tiny", "--text-file", "{w}/latin1.txt",
             *NEW_RUN], "UTF-8"),
    refused("train: --text-file empty", "train",
            ["--model", "mini_gpt", "--preset", "tiny", "--text-file", "{w}/empty.txt",
             *NEW_RUN], "empty"),
    refused("train: --text-file shorter than the context", "train",
            ["--model", "mini_gpt", "--preset", "tiny", "--text-file", "{w}/short.txt",
             *NEW_RUN], "short.txt"),
    refused("train: --text-file is a folder", "train",
            ["--model", "mini_gpt", "--preset", "tiny", "--text-file", "{w}/pictures",
             *NEW_RUN], "pictures"),
    refused("train: --text-file for an image model", "train",
            [*TINY_VAE, "--text-file", "{w}/notes.txt", *NEW_RUN], "--text-file"),
    refused("train: --fid for a language model", "train",
            ["--model", "mini_gpt", "--preset", "tiny", "--fid", *NEW_RUN], "--fid"),
    refused("train: --fid on 2-D data", "train",
            ["--model", "dcgan", "--dataset", "ring", "--fid", *NEW_RUN], "--fid"),
    refused("train: --fid 0", "train", [*TINY_VAE, "--fid", "0", *NEW_RUN], "positive integer"),
    refused("train: --fid 1", "train", [*TINY_VAE, "--fid", "1", *NEW_RUN], "--fid"),
    refused("train: --stop-on-collapse for the VAE", "train",
            [*TINY_VAE, "--stop-on-collapse", *NEW_RUN], "--stop-on-collapse"),
    refused("train: --devices 0", "train",
            [*TINY_VAE, "--distribute", "data_parallel", "--devices", "0", *NEW_RUN],
            "positive integer"),
    refused("train: --simulate-devices without --devices", "train",
            [*TINY_VAE, "--distribute", "data_parallel", "--simulate-devices", *NEW_RUN],
            "--devices"),
    refused("train: resume with a corrupt checkpoint", "train",
            [*TINY_VAE, "--epochs", "2", "--output", "{w}/run_corrupt_checkpoint"],
            "checkpoint.keras"),
    refused("train: resume with a corrupt state file", "train",
            [*TINY_VAE, "--epochs", "2", "--output", "{w}/run_corrupt_state"],
            "training_state.json"),
    refused("train: resume with a state file that is a list", "train",
            [*TINY_VAE, "--epochs", "2", "--output", "{w}/run_list_state"],
            "training_state.json"),
    refused("train: resume with the checkpoint missing", "train",
            [*TINY_VAE, "--epochs", "2", "--output", "{w}/run_no_checkpoint"],
            "checkpoint.keras"),
    refused("train: resume with another batch size", "train",
            [*TINY_VAE, "--epochs", "2", "--batch-size", "32", "--output", "{w}/run"],
            "--batch-size 64"),
    refused("train: resume with another seed", "train",
            [*TINY_VAE, "--epochs", "2", "--seed", "7", "--output", "{w}/run"], "seed"),
    refused("train: resume with another subset", "train",
            [*TINY_VAE[:4], "--subset", "128", "--test-subset", "32", "--epochs", "2",
             "--output", "{w}/run"], "subset"),
    succeeds("train: a finished run asked for the epochs it has", "train",
             [*TINY_VAE, "--output", "{w}/run"]),
    succeeds("train: a finished run asked for fewer epochs (nothing to do)", "train",
             [*TINY_VAE, "--output", "{w}/run_two_epochs"]),
]

# --- sampling --------------------------------------------------------------------------------
SAMPLE = [
    refused("sample: no --model-file", "sample", ["--output", "{w}/grid.png"], "--model-file"),
    refused("sample: --model-file missing", "sample",
            ["--model-file", "{w}/none.keras", "--output", "{w}/grid.png"], "does not exist"),
    refused("sample: --model-file a folder", "sample",
            ["--model-file", "{w}/pictures", "--output", "{w}/grid.png"], "folder"),
    refused("sample: --model-file a text file", "sample",
            ["--model-file", "{w}/notes.keras", "--output", "{w}/grid.png"], "not a .keras"),
    refused("sample: --model-file a zip of something else", "sample",
            ["--model-file", "{w}/archive.keras", "--output", "{w}/grid.png"], "not a .keras"),
    refused("sample: --model-file truncated", "sample",
            ["--model-file", "{w}/truncated.keras", "--output", "{w}/grid.png"], "truncated"),
    refused("sample: --model-file another extension", "sample",
            ["--model-file", "{w}/notes.txt", "--output", "{w}/grid.png"], ".keras"),
    refused("sample: --model-file an empty file", "sample",
            ["--model-file", "{w}/empty.keras", "--output", "{w}/grid.png"], "empty"),
    refused("sample: --model-file a plain Keras model", "sample",
            ["--model-file", "{w}/plain.keras", "--output", "{w}/grid.png"], "not a keras_gen"),
    refused("sample: --output exists", "sample",
            ["--model-file", "{w}/vae.keras", "--output", "{w}/pictures/samples.png"],
            "--overwrite"),
    refused("sample: --output's folder missing", "sample",
            ["--model-file", "{w}/vae.keras", "--output", "{w}/missing/grid.png"], "missing"),
    refused("sample: --output a folder", "sample",
            ["--model-file", "{w}/vae.keras", "--output", "{w}/pictures"], ".png"),
    refused("sample: --output .jpg", "sample",
            ["--model-file", "{w}/vae.keras", "--output", "{w}/grid.jpg"], ".png"),
    refused("sample: --output .png for text", "sample",
            ["--model-file", "{w}/gpt.keras", "--output", "{w}/text.png"], ".txt"),
    refused("sample: --output empty", "sample", ["--model-file", "{w}/vae.keras", "--output", ""],
            "--output"),
    refused("sample: --num-samples 0", "sample",
            ["--model-file", "{w}/vae.keras", "--num-samples", "0", "--output", "{w}/g.png"],
            "positive integer"),
    refused("sample: --num-samples -4", "sample",
            ["--model-file", "{w}/vae.keras", "--num-samples", "-4", "--output", "{w}/g.png"],
            "positive integer"),
    refused("sample: --columns 0", "sample",
            ["--model-file", "{w}/vae.keras", "--columns", "0", "--output", "{w}/g.png"],
            "positive integer"),
    succeeds("sample: --columns beyond --num-samples", "sample",
             ["--model-file", "{w}/vae.keras", "--num-samples", "3", "--columns", "10",
              "--output", "{w}/few.png"]),
    refused("sample: --seed -1", "sample",
            ["--model-file", "{w}/vae.keras", "--seed", "-1", "--output", "{w}/g.png"],
            "--seed"),
    refused("sample: --sampler for a VAE", "sample",
            ["--model-file", "{w}/vae.keras", "--sampler", "ddpm", "--output", "{w}/g.png"],
            "--sampler"),
    refused("sample: --steps for a VAE", "sample",
            ["--model-file", "{w}/vae.keras", "--steps", "10", "--output", "{w}/g.png"],
            "--steps"),
    refused("sample: --steps 0", "sample",
            ["--model-file", "{w}/ddpm.keras", "--steps", "0", "--output", "{w}/g.png"],
            "positive integer"),
    refused("sample: --steps beyond T", "sample",
            ["--model-file", "{w}/ddpm.keras", "--steps", "100000", "--output", "{w}/g.png"],
            "--steps"),
    refused("sample: --eta 2", "sample",
            ["--model-file", "{w}/ddpm.keras", "--eta", "2", "--output", "{w}/g.png"], "--eta"),
    refused("sample: --eta nan", "sample",
            ["--model-file", "{w}/ddpm.keras", "--eta", "nan", "--output", "{w}/g.png"], "--eta"),
    refused("sample: --eta with the ddpm sampler", "sample",
            ["--model-file", "{w}/ddpm.keras", "--sampler", "ddpm", "--eta", "0.5", "--output",
             "{w}/g.png"], "--eta"),
    refused("sample: --trajectory for a VAE", "sample",
            ["--model-file", "{w}/vae.keras", "--trajectory", "{w}/t.png", "--output",
             "{w}/g.png"], "--trajectory"),
    refused("sample: --trajectory exists", "sample",
            ["--model-file", "{w}/ddpm.keras", "--steps", "2", "--trajectory",
             "{w}/pictures/samples.png", "--output", "{w}/g.png"], "--overwrite"),
    refused("sample: --trajectory is --output", "sample",
            ["--model-file", "{w}/ddpm.keras", "--steps", "2", "--trajectory", "{w}/g.png",
             "--output", "{w}/g.png"], "--trajectory"),
    refused("sample: --labels beyond the classes", "sample",
            ["--model-file", "{w}/cgan.keras", "--labels", "10", "--output", "{w}/g.png"], "10"),
    refused("sample: --labels -1", "sample",
            ["--model-file", "{w}/cgan.keras", "--labels", "-1", "--output", "{w}/g.png"], "-1"),
    refused("sample: --labels words", "sample",
            ["--model-file", "{w}/cgan.keras", "--labels", "seven", "--output", "{w}/g.png"],
            "seven"),
    refused("sample: --labels for a VAE", "sample",
            ["--model-file", "{w}/vae.keras", "--labels", "3", "--output", "{w}/g.png"],
            "--labels"),
    refused("sample: flow --temperature 0", "sample",
            ["--model-file", "{w}/flow.keras", "--temperature", "0", "--output", "{w}/g.png"],
            "temperature"),
    refused("sample: flow --temperature -1", "sample",
            ["--model-file", "{w}/flow.keras", "--temperature", "-1", "--output", "{w}/g.png"],
            "temperature"),
    refused("sample: --temperature for a VAE", "sample",
            ["--model-file", "{w}/vae.keras", "--temperature", "0.5", "--output", "{w}/g.png"],
            "--temperature"),
    refused("sample: text --temperature -1", "sample",
            ["--model-file", "{w}/gpt.keras", "--temperature", "-1", "--output", "{w}/t.txt"],
            "temperature"),
    refused("sample: text --temperature nan", "sample",
            ["--model-file", "{w}/gpt.keras", "--temperature", "nan", "--output", "{w}/t.txt"],
            "temperature"),
    refused("sample: --prompt outside the vocabulary", "sample",
            ["--model-file", "{w}/gpt.keras", "--prompt", "λ€", "--output", "{w}/t.txt"], "λ"),
    refused("sample: --prompt for a VAE", "sample",
            ["--model-file", "{w}/vae.keras", "--prompt", "hi", "--output", "{w}/g.png"],
            "--prompt"),
    refused("sample: --max-new-tokens 0", "sample",
            ["--model-file", "{w}/gpt.keras", "--max-new-tokens", "0", "--output", "{w}/t.txt"],
            "positive integer"),
    refused("sample: --top-k 0", "sample",
            ["--model-file", "{w}/gpt.keras", "--top-k", "0", "--output", "{w}/t.txt"],
            "positive integer"),
    refused("sample: --top-k beyond the vocabulary", "sample",
            ["--model-file", "{w}/gpt.keras", "--top-k", "1000", "--output", "{w}/t.txt"],
            "--top-k"),
    refused("sample: --top-p 0", "sample",
            ["--model-file", "{w}/gpt.keras", "--top-p", "0", "--output", "{w}/t.txt"], "top"),
    refused("sample: --top-p 1.5", "sample",
            ["--model-file", "{w}/gpt.keras", "--top-p", "1.5", "--output", "{w}/t.txt"], "top"),
    refused("sample: --top-p nan", "sample",
            ["--model-file", "{w}/gpt.keras", "--top-p", "nan", "--output", "{w}/t.txt"], "top"),
    refused("sample: --top-k for a VAE", "sample",
            ["--model-file", "{w}/vae.keras", "--top-k", "3", "--output", "{w}/g.png"],
            "--top-k"),
    refused("sample: --no-cache for a VAE", "sample",
            ["--model-file", "{w}/vae.keras", "--no-cache", "--output", "{w}/g.png"],
            "--no-cache"),
    succeeds("sample: one image", "sample",
             ["--model-file", "{w}/vae.keras", "--num-samples", "1", "--output", "{w}/one.png"]),
    succeeds("sample: text, greedy", "sample",
             ["--model-file", "{w}/gpt.keras", "--temperature", "0", "--max-new-tokens", "5",
              "--output", "{w}/greedy.txt"]),
]

# --- judging ---------------------------------------------------------------------------------
def judged(name, arguments, words=""):
    """An apps.evaluate refusal; a model's judging is kept small (64 samples, 16 test images),
    so that a case which is not refused fails in seconds, not in minutes."""
    small = []
    if "--model-file" in arguments and "--num-samples" not in arguments:
        small += ["--num-samples", "64"]
    if "--model-file" in arguments and "--likelihood-examples" not in arguments:
        small += ["--likelihood-examples", "16"]
    return refused(name, "evaluate", [*arguments, *small], words)


EVALUATE = [
    judged("evaluate: nothing to judge", ["--output", "{w}/e.json"], "one of"),
    judged("evaluate: --model-file missing",
           ["--model-file", "{w}/none.keras", "--output", "{w}/e.json"], "does not exist"),
    judged("evaluate: --model-file corrupt",
           ["--model-file", "{w}/truncated.keras", "--output", "{w}/e.json"], "truncated"),
    judged("evaluate: --output exists",
           ["--model-file", "{w}/vae.keras", "--output", "{w}/notes.txt"], "--overwrite"),
    judged("evaluate: --output's folder missing",
           ["--model-file", "{w}/vae.keras", "--output", "{w}/missing/e.json"], "missing"),
    judged("evaluate: --output a folder",
           ["--model-file", "{w}/vae.keras", "--output", "{w}/pictures"], "folder"),
    judged("evaluate: --num-samples 0",
           ["--model-file", "{w}/vae.keras", "--num-samples", "0", "--output", "{w}/e.json"],
           "positive integer"),
    judged("evaluate: --num-samples 1",
           ["--model-file", "{w}/vae.keras", "--num-samples", "1", "--output", "{w}/e.json"],
           "--num-samples"),
    judged("evaluate: --likelihood-examples 0",
           ["--model-file", "{w}/vae.keras", "--likelihood-examples", "0", "--output",
            "{w}/e.json"], "positive integer"),
    judged("evaluate: --likelihood-examples beyond the test set",
           ["--model-file", "{w}/vae.keras", "--likelihood-examples", "20000", "--output",
            "{w}/e.json"], "10,000"),
    judged("evaluate: --iwae-samples 0",
           ["--model-file", "{w}/vae.keras", "--iwae-samples", "0", "--output", "{w}/e.json"],
           "positive integer"),
    judged("evaluate: --iwae-samples for a GAN",
           ["--model-file", "{w}/cgan.keras", "--iwae-samples", "8", "--output", "{w}/e.json"],
           "--iwae-samples"),
    judged("evaluate: --bound-timesteps 0",
           ["--model-file", "{w}/ddpm.keras", "--bound-timesteps", "0", "--output",
            "{w}/e.json"], "positive integer"),
    judged("evaluate: --bound-timesteps beyond T",
           ["--model-file", "{w}/ddpm.keras", "--bound-timesteps", "100000", "--output",
            "{w}/e.json"], "--bound-timesteps"),
    judged("evaluate: --steps for a VAE",
           ["--model-file", "{w}/vae.keras", "--steps", "5", "--output", "{w}/e.json"],
            "--steps"),
    judged("evaluate: --feature-network missing",
           ["--model-file", "{w}/vae.keras", "--feature-network", "{w}/none.keras", "--output",
            "{w}/e.json"], "none.keras"),
    judged("evaluate: --feature-network not a classifier",
           ["--model-file", "{w}/vae.keras", "--feature-network", "{w}/vae.keras", "--output",
            "{w}/e.json"], "features"),
    judged("evaluate: text data for an image model",
           ["--model-file", "{w}/vae.keras", "--dataset", "tiny_shakespeare", "--output",
            "{w}/e.json"], "tiny_shakespeare"),
    judged("evaluate: image data for a language model",
           ["--model-file", "{w}/gpt.keras", "--dataset", "mnist", "--output", "{w}/e.json"],
            "mnist"),
    judged("evaluate: --real-data on text",
           ["--real-data", "--dataset", "tiny_shakespeare", "--output", "{w}/e.json"],
            "tiny_shakespeare"),
    judged("evaluate: --table of a missing file",
           ["--table", "{w}/none.json"], "none.json"),
    judged("evaluate: --table of a file that is not JSON",
           ["--table", "{w}/notes.txt"], "notes.txt"),
    judged("evaluate: --table of JSON that is not an evaluation",
           ["--table", "{w}/other.json"], "other.json"),
    judged("evaluate: --table --output exists",
           ["--table", "{w}/evaluation.json", "--output", "{w}/notes.txt"], "--overwrite"),
    judged("evaluate: --seed -1",
           ["--model-file", "{w}/vae.keras", "--seed", "-1", "--output", "{w}/e.json"],
            "--seed"),
    judged("evaluate: --label empty",
           ["--model-file", "{w}/vae.keras", "--label", "", "--output", "{w}/e.json"],
            "--label"),
]

# --- export ----------------------------------------------------------------------------------
EXPORT = [
    refused("export: --model-file missing", "export",
            ["--model-file", "{w}/none.keras", "--output", "{w}/export"], "does not exist"),
    refused("export: --model-file corrupt", "export",
            ["--model-file", "{w}/truncated.keras", "--output", "{w}/export"], "truncated"),
    refused("export: --model-file not a model", "export",
            ["--model-file", "{w}/notes.keras", "--output", "{w}/export"], "not a .keras"),
    refused("export: --output exists", "export",
            ["--model-file", "{w}/vae.keras", "--output", "{w}/pictures"], "--overwrite"),
    refused("export: --overwrite the user's folder", "export",
            ["--model-file", "{w}/vae.keras", "--output", "{w}/pictures", "--overwrite"],
            "export_report.json"),
    refused("export: --overwrite the model's own folder", "export",
            ["--model-file", "{w}/run/model.keras", "--output", "{w}/run", "--overwrite"],
            "holds the model"),
    refused("export: --output a file", "export",
            ["--model-file", "{w}/vae.keras", "--output", "{w}/notes.txt"], "file"),
    refused("export: --output empty", "export",
            ["--model-file", "{w}/vae.keras", "--output", ""], "--output"),
    refused("export: --parity-batch 0", "export",
            ["--model-file", "{w}/vae.keras", "--parity-batch", "0", "--output", "{w}/export"],
            "positive integer"),
    refused("export: --quantize with --no-tflite", "export",
            ["--model-file", "{w}/vae.keras", "--quantize", "--no-tflite", "--output",
             "{w}/export"], "--quantize"),
]

# --- experiments and the feature network ------------------------------------------------------
OTHER_APPS = [
    refused("experiment: unknown name", "experiment", ["nonsense", "--output", "{w}/x"],
            "invalid choice"),
    refused("experiment: --output a file", "experiment",
            ["kl_asymmetry", "--tiny", "--output", "{w}/notes.txt"], "file"),
    refused("experiment: its figure exists", "experiment",
            ["kl_asymmetry", "--tiny", "--output", "{w}/experiments"], "--overwrite"),
    refused("experiment: --seed -1", "experiment",
            ["kl_asymmetry", "--tiny", "--seed", "-1", "--output", "{w}/x"], "--seed"),
    refused("feature network: --epochs 0", "train_feature_network",
            ["--dataset", "mnist", "--epochs", "0", "--output", "{w}/features"],
            "positive integer"),
    succeeds("feature network: --output the user's folder (adds its files beside theirs)",
             "train_feature_network",
             ["--dataset", "mnist", "--epochs", "1", "--subset", "64", "--output",
              "{w}/pictures"]),
    refused("feature network: --output a file", "train_feature_network",
            ["--dataset", "mnist", "--epochs", "1", "--output", "{w}/notes.txt"], "file"),
    refused("feature network: --batch-size 0", "train_feature_network",
            ["--dataset", "mnist", "--batch-size", "0", "--output", "{w}/features"],
            "positive integer"),
]


# --- the library -----------------------------------------------------------------------------
def library_case(name, words):
    """A library call that should be refused with a one-line ValueError / TypeError."""
    def decorate(function):
        LIBRARY.append(Case(name, function, (), words))
        return function
    return decorate


LIBRARY = []


def _load(workspace, name):
    import keras_gen
    return keras_gen.load_model(os.path.join(workspace, name))


@library_case("library: VAE.sample(0)", "positive")
def _(w):
    _load(w, "vae.keras").sample(0)


@library_case("library: VAE.sample(-2)", "positive")
def _(w):
    _load(w, "vae.keras").sample(-2)


@library_case("library: VAE.fit on images without a channel axis", "shape")
def _(w):
    _load(w, "vae.keras").fit(np.zeros((8, 28, 28), "float32"), epochs=1, verbose=0)


@library_case("library: VAE.fit on 0..255 images", "range")
def _(w):
    _load(w, "vae.keras").fit(np.full((8, 28, 28, 1), 255, "float32"), epochs=1, verbose=0)


@library_case("library: VAE.fit on images holding NaN", "NaN")
def _(w):
    images = np.zeros((8, 28, 28, 1), "float32")
    images[0, 0, 0, 0] = np.nan
    _load(w, "vae.keras").fit(images, epochs=1, verbose=0)


@library_case("library: VAE.encode of the wrong size", "shape")
def _(w):
    _load(w, "vae.keras").encode(np.zeros((2, 32, 32, 1), "float32"))


@library_case("library: CGAN.sample with a label beyond the classes", "label")
def _(w):
    _load(w, "cgan.keras").sample(2, labels=np.array([3, 10]))


@library_case("library: DDPM.sample(steps=0)", "steps")
def _(w):
    _load(w, "ddpm.keras").sample(2, num_steps=0)


@library_case("library: DDPM.sample(eta=-1)", "eta")
def _(w):
    _load(w, "ddpm.keras").sample(2, sampler="ddim", num_steps=2, eta=-1.0)


@library_case("library: RealNVP.log_prob of the wrong width", "shape")
def _(w):
    _load(w, "flow.keras").log_prob(np.zeros((4, 3), "float32"))


@library_case("library: MiniGPT.generate with a character outside the vocabulary", "vocabulary")
def _(w):
    _load(w, "gpt.keras").generate("λ", max_new_tokens=2)


@library_case("library: MiniGPT.generate(max_new_tokens=-1)", "max_new_tokens")
def _(w):
    _load(w, "gpt.keras").generate("a", max_new_tokens=-1)


@library_case("library: MiniGPT.generate(top_p=0)", "top_p")
def _(w):
    _load(w, "gpt.keras").generate("a", max_new_tokens=2, top_p=0.0)


@library_case("library: load_model of a missing file", "does not exist")
def _(w):
    _load(w, "none.keras")


@library_case("library: load_model of a truncated file", "truncated")
def _(w):
    _load(w, "truncated.keras")


@library_case("library: load_model of a text file", "not a .keras")
def _(w):
    _load(w, "notes.keras")


@library_case("library: frechet distance of features of different widths", "shape")
def _(w):
    from keras_gen import metrics
    rng = np.random.default_rng(0)
    metrics.frechet_distance(rng.normal(size=(50, 8)), rng.normal(size=(50, 6)))


@library_case("library: frechet distance of features holding NaN", "NaN")
def _(w):
    from keras_gen import metrics
    features = np.random.default_rng(0).normal(size=(50, 8))
    features[3, 2] = np.nan
    metrics.frechet_distance(features, features)


@library_case("library: 1-D Wasserstein of an empty sample", "n >= 2")
def _(w):
    from keras_gen import metrics
    metrics.wasserstein_1(np.zeros(0), np.ones(5))


@library_case("library: mode coverage of 3-D points", "shape")
def _(w):
    from keras_gen import metrics
    from keras_gen import data
    ring = data.get_toy_distribution("ring")
    metrics.mode_coverage(np.zeros((10, 3)), ring.modes, ring.std)


@library_case("library: an unknown dataset", "unknown")
def _(w):
    from keras_gen import data
    data.load_image_arrays("cifar100", "train")


APPS = TRAIN + SAMPLE + EVALUATE + EXPORT + OTHER_APPS
CASES = APPS + LIBRARY


# --- the workspace: a user's folder of things ---------------------------------------------------
def train_tiny(workspace, name, arguments):
    run = os.path.join(workspace, "runs", name)
    result = run_app("train", [*arguments, "--output", run])
    if result.returncode != 0:
        raise SystemExit(f"setting up: training the tiny {name} failed:\n{result.stderr[-3000:]}")
    return os.path.join(run, "model.keras")


def make_workspace(workspace):
    """The user's folder every case runs in: notes, pictures, broken files, killed runs, and one
    tiny trained model of each kind of sampler."""
    from keras_gen import data

    def write(relative, content):
        path = os.path.join(workspace, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(content, bytes) else "w") as file:
            file.write(content)
        return path

    models = {
        "vae.keras": ["--model", "vae", "--preset", "tiny", "--subset", "64", "--test-subset",
                      "32"],
        "cgan.keras": ["--model", "cgan", "--preset", "tiny", "--subset", "64", "--test-subset",
                       "32"],
        "ddpm.keras": ["--model", "ddpm", "--preset", "tiny", "--subset", "64", "--test-subset",
                       "32"],
        "flow.keras": ["--model", "real_nvp", "--preset", "tiny", "--subset", "64",
                       "--test-subset", "32"],
        "gpt.keras": ["--model", "mini_gpt", "--preset", "tiny", "--subset", "20000",
                      "--test-subset", "8"],
    }
    for name, arguments in models.items():
        shutil.copy(train_tiny(workspace, name.split(".")[0], arguments),
                    os.path.join(workspace, name))
    shutil.rmtree(os.path.join(workspace, "runs"))

    write("notes.txt", "my notes\n")
    write("notes.keras", "not a model\n")
    write("empty.keras", b"")
    write("empty.txt", "")
    write("short.txt", "To be.\n")
    write("latin1.txt", "Ã©tÃ© caf\xe9 na\xefve ".encode("latin-1") * 400)
    write("other.json", json.dumps({"weather": "rain"}))
    with open(os.path.join(workspace, "vae.keras"), "rb") as file:
        model_bytes = file.read()
    write("truncated.keras", model_bytes[: len(model_bytes) // 2])
    with zipfile.ZipFile(os.path.join(workspace, "archive.keras"), "w") as archive:
        archive.writestr("holiday.txt", "photos")
    import keras
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    plain.save(os.path.join(workspace, "plain.keras"))

    write("pictures/samples.png", b"\x89PNG my own samples")
    write("pictures/holiday.png", b"\x89PNG holiday")
    os.makedirs(os.path.join(workspace, "empty_folder"))
    write("text_folder/a.txt", "a")
    write("text_folder/b.txt", "b")
    from PIL import Image

    images, _ = data.load_image_arrays("mnist", "test", subset=3)
    for folder in ("three_images", "corrupt_images"):
        os.makedirs(os.path.join(workspace, folder))
        for index, image in enumerate(images):
            Image.fromarray(image[..., 0]).save(os.path.join(workspace, folder, f"{index}.png"))
    write("corrupt_images/broken.png", b"\x89PNG\r\n\x1a\n this is not a picture")
    write("experiments/kl_asymmetry.png", b"\x89PNG the user's figure")
    write("experiments/kl_asymmetry.json", "{}")

    # Runs a user left behind: one killed after epoch 1 of 2, one finished at 2 epochs, and
    # killed runs whose files were damaged since.
    run = os.path.join(workspace, "run")
    result = run_app("train", [*TINY_VAE, "--output", run])
    if result.returncode != 0:
        raise SystemExit(f"setting up: the tiny VAE run failed:\n{result.stderr[-3000:]}")
    two = os.path.join(workspace, "run_two_epochs")
    if run_app("train", [*TINY_VAE[:-1], "2", "--output", two]).returncode != 0:
        raise SystemExit("setting up: the 2-epoch tiny VAE run failed")
    for name in ("run_corrupt_checkpoint", "run_corrupt_state", "run_list_state",
                 "run_no_checkpoint"):
        killed = os.path.join(workspace, name)
        os.makedirs(killed)
        shutil.copy(os.path.join(run, "model.keras"), os.path.join(killed, "checkpoint.keras"))
        with open(os.path.join(run, "training_state.json")) as file:
            state = json.load(file)
        state["files"] = ["checkpoint.keras", "training_state.json"]
        with open(os.path.join(killed, "training_state.json"), "w") as file:
            json.dump(state, file)
    write("run_corrupt_checkpoint/checkpoint.keras", model_bytes[:1000])
    write("run_corrupt_state/training_state.json", '{"model": "vae", "epoch": ')
    write("run_list_state/training_state.json", "[1, 2, 3]")
    os.remove(os.path.join(workspace, "run_no_checkpoint", "checkpoint.keras"))
    result = run_app("evaluate", ["--model-file", os.path.join(workspace, "vae.keras"),
                                  "--num-samples", "64", "--likelihood-examples", "16",
                                  "--output", os.path.join(workspace, "evaluation.json")])
    if result.returncode != 0:
        raise SystemExit(f"setting up: evaluating the tiny VAE failed:\n{result.stderr[-3000:]}")


# --- running and judging -------------------------------------------------------------------------
def run_app(app, arguments):
    """An exception that escapes an app is what a user would see as a traceback: kept as one."""
    return run_app_in_process(app, arguments, keep_tracebacks=True)


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def judge_app_case(case, workspace):
    arguments = [argument.format(w=workspace) for argument in case.arguments]
    before = hashes(workspace)
    result = run_app(case.target, arguments)
    after = hashes(workspace)
    line = last_line(result.stderr)
    problems = []
    if "Traceback" in result.stderr:
        problems.append("traceback")
    changed = sorted(name for name in before if after.get(name) != before[name])
    if changed:
        problems.append(f"changed {changed[:3]}")
    if case.refuse is None:
        if result.returncode != 0:
            problems.append(f"exit {result.returncode}")
        line = line or last_line(result.stdout)
    else:
        added = sorted(set(after) - set(before))
        if added:
            problems.append(f"added {added[:3]}")
        if result.returncode != 2:
            problems.append(f"exit {result.returncode}")
        if "error:" not in line:
            problems.append("no error line")
        if case.refuse.lower() not in line.lower():
            problems.append(f"line lacks {case.refuse!r}")
    return problems, line

BACKEND_ERROR_MODULES = ("tensorflow", "jax", "jaxlib", "torch", "keras", "numpy", "xla")


def judge_library_case(case, workspace):
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            case.target(workspace)
    except (ValueError, TypeError) as error:
        module = type(error).__module__.split(".")[0]
        message = str(error)
        problems = []
        if module in BACKEND_ERROR_MODULES:
            problems.append(f"{type(error).__module__}.{type(error).__name__}")
        if "\n" in message.strip():
            problems.append("several lines")
        if case.refuse.lower() not in message.lower():
            problems.append(f"message lacks {case.refuse!r}")
        return problems, f"{type(error).__name__}: {message.strip().splitlines()[0][:160]}"
    except Exception as error:  # noqa: B902 - the audit records what escapes
        text = str(error).strip().splitlines()
        return ([f"{type(error).__module__}.{type(error).__name__}"],
                f"{type(error).__name__}: {text[0][:160] if text else ''}")
    return ["not refused"], "(returned)"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.reliability_audit",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run the cases whose name holds this")
    parser.add_argument("--json", help="also write every case's verdict here")
    args = parser.parse_args(argv)
    import keras

    cases = [case for case in CASES if args.only in case.name]
    workspace = tempfile.mkdtemp(prefix="keras_gen_audit_")
    os.environ.setdefault("KERAS_GEN_DATA_DIR", os.path.join(os.path.dirname(REPO_ROOT),
                                                             "shared", "data"))
    # The feature cache of the judged cases is the audit's own, not the user's ~/.cache.
    os.environ["KERAS_GEN_CACHE_DIR"] = os.path.join(workspace + "_cache")
    started = time.time()
    make_workspace(workspace)
    print(f"workspace ready in {time.time() - started:.0f} s; {len(cases)} cases on "
          f"{keras.config.backend()}", flush=True)
    # Every case starts from the same folder: what one changed (a resumed run, a new file) is
    # put back from this copy.
    pristine = workspace + "_pristine"
    shutil.copytree(workspace, pristine)
    pristine_hashes = hashes(pristine)
    verdicts = []
    for number, case in enumerate(cases, 1):
        clock = time.time()
        judge = judge_library_case if callable(case.target) else judge_app_case
        problems, line = judge(case, workspace)
        if hashes(workspace) != pristine_hashes or _folders(workspace) != _folders(pristine):
            shutil.rmtree(workspace)
            shutil.copytree(pristine, workspace)
        verdicts.append({"case": case.name, "passed": not problems, "problems": problems,
                         "line": line, "seconds": round(time.time() - clock, 1)})
        mark = "ok  " if not problems else "FAIL"
        print(f"{number:3d} {mark} {case.name}: {'; '.join(problems) or ''}\n"
              f"         {line[:220]}", flush=True)
    failed = [verdict for verdict in verdicts if not verdict["passed"]]
    print(f"\n{len(verdicts) - len(failed)} of {len(verdicts)} cases pass on "
          f"{keras.config.backend()} ({time.time() - started:.0f} s)")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"backend": keras.config.backend(), "verdicts": verdicts}, file, indent=1)
    shutil.rmtree(workspace, ignore_errors=True)
    shutil.rmtree(pristine, ignore_errors=True)
    shutil.rmtree(workspace + "_cache", ignore_errors=True)
    return 1 if failed else 0


def _folders(root):
    return sorted(os.path.relpath(folder, root) for folder, _, _ in os.walk(root))


if __name__ == "__main__":
    sys.exit(main())
