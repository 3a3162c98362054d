"""Fault injection: bad inputs and faults a user meets, each answered by one line and exit code 2,
with no traceback, and with every file that was there before byte-identical afterwards.

Three kinds of case:
- refusals, in-process (`REFUSALS`): bad settings, files and folders, requests that cannot fit
  in memory, a backend that does not exist;
- faults injected at a boundary in-process (`OUT_OF_MEMORY`): each backend's own out-of-memory
  error raised where the work runs;
- real file-system faults in a private mount namespace (`unshare --mount`, as the machine's
  network tests use namespaces): a read-only disk and a disk that fills during an epoch. The
  folders are real tmpfs mounts, so root's permission to write anywhere does not hide the fault.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.apps.test_file_ownership import hashes
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.backend_independent

TINY_VAE = ["--model", "vae", "--preset", "tiny", "--subset", "64", "--test-subset", "32"]


def assert_one_line_refusal(returncode, stderr, message):
    assert returncode == 2, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    last_line = stderr.strip().splitlines()[-1]
    assert message in last_line, stderr[-3000:]


def make_run_folder(folder, checkpoint_file, **state):
    """A VAE run killed after epoch 1 (the state the training app writes, and a checkpoint)."""
    folder.mkdir(parents=True)
    shutil.copy(checkpoint_file, folder / "checkpoint.keras")
    state = {"model": "vae", "dataset": "mnist", "preset": "tiny", "subset": 64, "epoch": 1,
             "batch_size": 64, "learning_rate": 0.001, "seed": 0, "backend": "tensorflow",
             "files": ["checkpoint.keras", "training_state.json"], **state}
    (folder / "training_state.json").write_text(json.dumps(state))
    return folder


# --- refusals -----------------------------------------------------------------------------------
# (case id, app, arguments with {tmp}, {vae}, {gpt}, {run}, {other_family_run} placeholders,
#  the message the last stderr line holds)
REFUSALS = [
    ("train-empty-output", "train", [*TINY_VAE, "--output", ""], "--output is empty"),
    ("train-output-is-a-file", "train", [*TINY_VAE, "--output", "{tmp}/notes.txt"],
     "is a file; pass a folder for the run"),
    ("train-output-under-a-file", "train", [*TINY_VAE, "--output", "{tmp}/notes.txt/run"],
     "cannot be made (Not a directory)"),
    ("train-resume-other-batch-size", "train",
     [*TINY_VAE, "--epochs", "2", "--batch-size", "32", "--output", "{run}"],
     "was trained with --batch-size 64, this command asks for 32; pass --batch-size 64"),
    ("train-resume-other-learning-rate", "train",
     [*TINY_VAE, "--epochs", "2", "--learning-rate", "0.01", "--output", "{run}"],
     "was trained with --learning-rate 0.001, this command asks for 0.01"),
    ("train-resume-other-preset", "train",
     [*TINY_VAE[:2], "--preset", "default", *TINY_VAE[4:], "--epochs", "2", "--output", "{run}"],
     "holds a different run (preset 'tiny' there, 'default' here)"),
    ("train-resume-other-model", "train",
     ["--model", "autoencoder", *TINY_VAE[2:], "--epochs", "2", "--output", "{run}"],
     "holds a different run (model 'vae' there, 'autoencoder' here)"),
    ("train-checkpoint-of-another-family", "train",
     [*TINY_VAE, "--epochs", "2", "--output", "{other_family_run}"],
     "checkpoint.keras holds a DCGAN, but the run's state says --model vae (VAE)"),
    ("sample-not-a-keras-file", "sample",
     ["--model-file", "{tmp}/notes.keras", "--output", "{tmp}/grid.png"],
     "cannot be loaded: it is not a .keras model file"),
    ("sample-images-beyond-memory", "sample",
     ["--model-file", "{vae}", "--num-samples", str(10 ** 9), "--output", "{tmp}/grid.png"],
     "--num-samples 1000000000 needs about"),
    ("sample-text-beyond-memory", "sample",
     ["--model-file", "{gpt}", "--max-new-tokens", str(10 ** 11), "--output", "{tmp}/t.txt"],
     "--max-new-tokens 100000000000 needs about"),
    ("sample-temperature-inf", "sample",
     ["--model-file", "{gpt}", "--temperature", "inf", "--output", "{tmp}/t.txt"],
     "temperature must be a finite number"),
    ("evaluate-samples-beyond-memory", "evaluate",
     ["--model-file", "{vae}", "--num-samples", str(10 ** 9), "--output", "{tmp}/e.json"],
     "--num-samples 1,000,000,000 needs about"),
    # Found by the audit (python -m tests.reliability_audit) and fixed; kept here as tests.
    ("train-infinite-learning-rate", "train", [*TINY_VAE, "--learning-rate", "inf", "--output",
                                               "{tmp}/new"], "must be a positive finite number"),
    ("train-negative-seed", "train", [*TINY_VAE, "--seed", "-1", "--output", "{tmp}/new"],
     "argument --seed: must lie in 0..4294967295"),
    ("train-subset-beyond-mnist", "train",
     [*TINY_VAE[:4], "--subset", "70000", "--output", "{tmp}/new"],
     "--subset 70000 is more than mnist's 60,000 train images; pass at most 60000"),
    ("train-fid-of-one-sample", "train", [*TINY_VAE, "--fid", "1", "--output", "{tmp}/new"],
     "--fid 1: FID and KID compare two sets of at least 2 samples"),
    ("train-resume-other-seed", "train",
     [*TINY_VAE, "--epochs", "2", "--seed", "7", "--output", "{run}"],
     "was trained with --seed 0, this command asks for 7; pass --seed 0"),
    ("sample-model-file-a-folder", "sample", ["--model-file", "{run}", "--output", "{tmp}/g.png"],
     "is a folder; pass the .keras file in it"),
    ("sample-a-zip-of-photos", "sample",
     ["--model-file", "{tmp}/photos.keras", "--output", "{tmp}/g.png"],
     "is a zip archive but not a .keras model file (it has no config.json)"),
    ("sample-eta-for-ddpm-sampling", "sample",
     ["--model-file", "{ddpm}", "--sampler", "ddpm", "--eta", "0.5", "--output", "{tmp}/g.png"],
     "--eta is the DDIM sampler's noise scale"),
    ("sample-trajectory-onto-output", "sample",
     ["--model-file", "{ddpm}", "--trajectory", "{tmp}/g.png", "--output", "{tmp}/g.png"],
     "is the file --output writes"),
    ("sample-steps-beyond-timesteps", "sample",
     ["--model-file", "{ddpm}", "--steps", "51", "--output", "{tmp}/g.png"],
     "--steps 51 is more than the model's 50 timesteps"),
    ("sample-top-k-beyond-vocabulary", "sample",
     ["--model-file", "{gpt}", "--top-k", "1000", "--output", "{tmp}/t.txt"],
     "--top-k 1000 is more than the model's"),
    ("evaluate-output-folder-missing", "evaluate",
     ["--model-file", "{vae}", "--output", "{tmp}/missing/e.json"],
     "the folder of --output {tmp}/missing/e.json does not exist"),
    ("evaluate-one-sample", "evaluate",
     ["--model-file", "{vae}", "--num-samples", "1", "--output", "{tmp}/e.json"],
     "--num-samples 1: FID, KID and precision / recall compare sets of at least 2"),
    ("evaluate-likelihood-beyond-test-set", "evaluate",
     ["--model-file", "{vae}", "--likelihood-examples", "20000", "--output", "{tmp}/e.json"],
     "--likelihood-examples 20000 is more than mnist's 10,000 test images"),
    ("evaluate-iwae-samples-for-a-gan", "evaluate",
     ["--model-file", "{dcgan}", "--iwae-samples", "8", "--output", "{tmp}/e.json"],
     "--iwae-samples sets the VAE's likelihood bound; "),
    ("evaluate-bound-timesteps-beyond-t", "evaluate",
     ["--model-file", "{ddpm}", "--bound-timesteps", "51", "--output", "{tmp}/e.json"],
     "--bound-timesteps 51 is more than the model's 50 timesteps"),
    ("evaluate-feature-network-not-a-classifier", "evaluate",
     ["--model-file", "{vae}", "--feature-network", "{vae}", "--num-samples", "8",
      "--output", "{tmp}/e.json"], "without 'features' and 'logits' layers"),
    ("evaluate-table-of-other-json", "evaluate", ["--table", "{tmp}/weather.json"],
     "is JSON but not an evaluation file"),
    ("export-output-a-file", "export",
     ["--model-file", "{vae}", "--output", "{tmp}/notes.txt", "--overwrite"],
     "--output {tmp}/notes.txt is a file; pass a folder for the export"),
]


@pytest.fixture
def user_files(tmp_path, trained_vae, trained_dcgan, trained_ddpm, trained_mini_gpt):
    """A folder of a user's things: notes, files named like models, two killed runs, models."""
    (tmp_path / "notes.txt").write_text("my notes")
    (tmp_path / "notes.keras").write_text("not a model")
    (tmp_path / "weather.json").write_text('{"weather": "rain"}')
    with zipfile.ZipFile(tmp_path / "photos.keras", "w") as archive:
        archive.writestr("holiday.txt", "photos")
    for name, (_, path) in {"vae": trained_vae, "gpt": trained_mini_gpt, "ddpm": trained_ddpm,
                            "dcgan": trained_dcgan}.items():
        shutil.copy(path, tmp_path / f"{name}.keras")
    run = make_run_folder(tmp_path / "run", trained_vae[1])
    other = make_run_folder(tmp_path / "other_family_run", trained_dcgan[1])
    return {"tmp": tmp_path, "run": run, "other_family_run": other,
            **{name: tmp_path / f"{name}.keras" for name in ("vae", "gpt", "ddpm", "dcgan")}}


@pytest.mark.parametrize("app, arguments, message",
                         [case[1:] for case in REFUSALS], ids=[case[0] for case in REFUSALS])
def test_refusal_is_one_line_and_changes_no_file(user_files, run_app, run_export, app,
                                                 arguments, message):
    before = hashes(user_files["tmp"])
    arguments = [argument.format(**user_files) for argument in arguments]
    result = run_export(*arguments) if app == "export" else run_app(app, arguments)
    assert_one_line_refusal(result.returncode, result.stderr, message.format(**user_files))
    assert hashes(user_files["tmp"]) == before


# The app and what it is given; a file for --model-file must exist for the refusal to come
# from the backend check (which runs after the arguments are checked, before Keras starts).
# apps.export is not here: it always exports under TensorFlow, whatever KERAS_BACKEND says.
BACKEND_CASES = {
    "train": [*TINY_VAE, "--output", "{tmp}/run"],
    "sample": ["--model-file", "{tmp}/m.keras", "--output", "{tmp}/grid.png"],
    "evaluate": ["--model-file", "{tmp}/m.keras", "--output", "{tmp}/e.json"],
}


@pytest.mark.parametrize("app", BACKEND_CASES)
def test_an_unknown_backend_is_one_line_before_keras_starts(tmp_path, app):
    (tmp_path / "m.keras").write_bytes(b"x")
    before = hashes(tmp_path)
    result = subprocess.run([sys.executable, "-m", f"apps.{app}",
                             *[a.format(tmp=tmp_path) for a in BACKEND_CASES[app]]],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "KERAS_BACKEND": "mxnet"})
    assert_one_line_refusal(result.returncode, result.stderr,
                            f"python -m apps.{app}: error: KERAS_BACKEND='mxnet' is not a "
                            "backend keras_gen trains on")
    assert hashes(tmp_path) == before and sorted(os.listdir(tmp_path)) == ["m.keras"]


# --- out of memory, injected where the work runs -------------------------------------------------
class ResourceExhaustedError(Exception):
    """TensorFlow's out-of-memory error, by name (as tf.errors raises it)."""


OUT_OF_MEMORY = [
    # (app, what raises, the error, arguments, message)
    ("train", "keras_gen.models.base.GenerativeModel.fit",
     RuntimeError("[enforce fail at alloc_cpu.cpp:119] DefaultCPUAllocator: can't allocate "
                  "memory: you tried to allocate 34359738368 bytes"),
     [*TINY_VAE, "--epochs", "1", "--output", "{tmp}/new_run"],
     "out of memory during training (RuntimeError); no epoch had been saved: pass a smaller "
     "--batch-size"),
    ("sample", "keras_gen.models.VAE.sample", MemoryError("Unable to allocate 29.2 GiB"),
     ["--model-file", "{vae}", "--output", "{tmp}/grid.png"],
     "out of memory while sampling (MemoryError); ask for fewer --num-samples"),
    ("evaluate", "keras_gen.evaluation.draw_samples",
     ResourceExhaustedError("OOM when allocating tensor with shape[10000,784]"),
     ["--model-file", "{vae}", "--output", "{tmp}/e.json"],
     "out of memory while judging (ResourceExhaustedError); pass a smaller --num-samples"),
]


@pytest.mark.parametrize("app, target, error, arguments, message", OUT_OF_MEMORY,
                         ids=[f"{case[0]}-{type(case[2]).__name__}" for case in OUT_OF_MEMORY])
def test_out_of_memory_is_one_line(user_files, run_app, monkeypatch, app, target, error,
                                   arguments, message):
    def run_out_of_memory(*args, **kwargs):
        raise error

    monkeypatch.setattr(target, run_out_of_memory)
    before = hashes(user_files["tmp"])
    result = run_app(app, [argument.format(**user_files) for argument in arguments])
    assert_one_line_refusal(result.returncode, result.stderr, message)
    assert hashes(user_files["tmp"]) == before


# --- real file-system faults, in a private mount namespace ----------------------------------------
def run_on_a_small_disk(tmp_path, contents, size_kb, read_only, app_arguments):
    """Mounts a `size_kb` tmpfs on tmp_path/disk (seen by this command only), copies `contents`
    into it, optionally remounts it read-only, runs `python -m apps.<...>` there and returns
    (exit code, stderr, {file: SHA-256 on the disk before}, {... after})."""
    disk, report = tmp_path / "disk", tmp_path / "report"
    disk.mkdir()
    report.mkdir()
    hash_files = f"cd {disk} && find . -type f -exec sha256sum {{}} + | sort -k 2"
    script = "\n".join([
        "set -e",
        f"mount -t tmpfs -o size={size_kb}k keras_gen_test {disk}",
        f"cp -a {shlex.quote(str(contents))}/. {disk}/" if contents else "true",
        f"mount -o remount,ro {disk}" if read_only else "true",
        f"( {hash_files} ) > {report}/before",
        "set +e",
        f"cd {shlex.quote(REPO_ROOT)}",
        " ".join([shlex.quote(sys.executable), "-m", *map(shlex.quote, map(str, app_arguments))])
        + f" > {report}/stdout 2> {report}/stderr",
        f"echo $? > {report}/code",
        f"( {hash_files} ) > {report}/after",
    ])
    # Root may make a mount namespace directly; anyone else through a user namespace.
    unshare = ["unshare", "--mount"] + (["--map-root-user"] if os.geteuid() != 0 else [])
    done = subprocess.run([*unshare, "sh", "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"the test's own namespace set-up failed: {done.stderr}"
    stderr = (report / "stderr").read_text()
    return (int((report / "code").read_text()), stderr, (report / "before").read_text(),
            (report / "after").read_text())


READ_ONLY_CASES = {  # case id: (the command on the read-only disk, the message)
    "train-resume": (["apps.train", *TINY_VAE, "--epochs", "2", "--output", "DISK/run"],
                     "--output DISK/run cannot be written to (Read-only file system)"),
    "train-new": (["apps.train", *TINY_VAE, "--output", "DISK/new_run"],
                  "--output DISK/new_run cannot be made (Read-only file system)"),
    "train-overwrite": (["apps.train", *TINY_VAE, "--epochs", "2", "--overwrite", "--output",
                         "DISK/run"],
                        "--output DISK/run cannot be written to (Read-only file system)"),
    "sample": (["apps.sample", "--model-file", "DISK/vae.keras", "--output", "DISK/grid.png"],
               "--output's folder DISK cannot be written to (Read-only file system)"),
    "evaluate": (["apps.evaluate", "--model-file", "DISK/vae.keras", "--output", "DISK/e.json"],
                 "--output's folder DISK cannot be written to (Read-only file system)"),
    "export": (["apps.export", "--model-file", "DISK/vae.keras", "--output", "DISK/export"],
               "--output's folder DISK cannot be written to (Read-only file system)"),
}


@pytest.mark.parametrize("app_arguments, message", READ_ONLY_CASES.values(),
                         ids=READ_ONLY_CASES.keys())
def test_a_read_only_disk_is_one_line_before_any_work(tmp_path, trained_vae, app_arguments,
                                                      message):
    contents = tmp_path / "contents"
    make_run_folder(contents / "run", trained_vae[1])
    shutil.copy(trained_vae[1], contents / "vae.keras")
    disk = str(tmp_path / "disk")
    code, stderr, before, after = run_on_a_small_disk(
        tmp_path, contents, 4096, True, [a.replace("DISK", disk) for a in app_arguments])
    assert_one_line_refusal(code, stderr, message.replace("DISK", disk))
    assert after == before and "run/checkpoint.keras" in before


def test_a_disk_that_fills_mid_epoch_stops_with_one_line_and_keeps_the_last_checkpoint(
        tmp_path, trained_vae):
    contents = tmp_path / "contents"
    run = make_run_folder(contents / "run", trained_vae[1])
    # Room for what is there and a few pages more: epoch 2's grids, log row or checkpoint
    # (each written under a temporary name, then renamed) cannot all fit.
    used_kb = sum(-(-os.path.getsize(run / name) // 4096) * 4 for name in os.listdir(run))
    disk = str(tmp_path / "disk")
    code, stderr, before, after = run_on_a_small_disk(
        tmp_path, contents, used_kb + 16, False,
        ["apps.train", *TINY_VAE, "--epochs", "2", "--output", f"{disk}/run"])
    assert_one_line_refusal(code, stderr, "writing the run's files failed (No space left on "
                                          "device")
    assert "checkpoint.keras and training_state.json of epoch 1 are intact" in stderr
    kept = {line.split()[1]: line.split()[0] for line in after.splitlines()}
    for name in ("./run/checkpoint.keras", "./run/training_state.json"):
        assert kept[name] == dict(line.split()[::-1] for line in before.splitlines())[name]
    assert not [name for name in kept if ".partial" in name]


def test_the_case_count_in_the_readme_is_this_modules():
    """The README's reliability section states how many cases this module tries."""
    cases = (len(REFUSALS) + len(BACKEND_CASES) + len(OUT_OF_MEMORY) + len(READ_ONLY_CASES)
             + 1)  # + the disk that fills
    with open(os.path.join(REPO_ROOT, "README.md"), encoding="utf-8") as file:
        readme = file.read()
    assert f"tries {cases} bad-input and fault cases" in readme
