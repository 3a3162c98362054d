"""Draw samples from a trained keras_gen model (.keras from any backend): a PNG grid, or text.

Usage:
    python -m apps.sample --model-file saved_models/vae_mnist/model.keras --output samples.png
    python -m apps.sample --model-file runs/ddpm_mnist/model.keras --sampler ddim --steps 50 \\
        --eta 0.0 --trajectory trajectory.png --output ddim50.png
    python -m apps.sample --model-file runs/cgan_mnist/model.keras --labels 7 --output sevens.png
    python -m apps.sample --model-file runs/real_nvp_mnist/model.keras --temperature 0.7 \
        --output flow.png
    python -m apps.sample --model-file runs/mini_gpt_tiny_shakespeare/model.keras \
        --prompt "ROMEO:" --max-new-tokens 500 --top-k 10 --output romeo.txt

Diffusion models take --sampler {ddpm,ddim}, --steps, --eta and --spacing; conditional GANs take
--labels; flows take --temperature (2-D flows write a scatter plot of the points). The same
--seed gives the same images. Also writes the images as .npy beside the PNG
(pixel values as the model produces them) and prints how long sampling took.
Language models write text (--output FILE.txt, also printed): --prompt, --max-new-tokens,
--temperature (0: greedy), --top-k, --top-p, --no-cache; --num-samples continuations (default 1).
"""

import argparse
import math
import os
import time

from apps.cli_types import positive_int, random_seed
from apps.failures import (
    check_fits_in_memory,
    exit_with_error,
    file_error_text,
    is_out_of_memory,
    unwritable_reason,
)
from apps.model_file import check_model_file, load_model_file
from apps.quiet_start import import_tensorflow_quietly

# Characters a language model adds when --max-new-tokens is not given.
DEFAULT_NEW_TOKENS = 500



def parse_args(argv=None):
    # The command a user types, also when main(argv) runs in-process (as the tests call it).
    parser = argparse.ArgumentParser(prog="python -m apps.sample",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--model-file", required=True, help="a .keras file saved by keras_gen")
    parser.add_argument("--output", required=True,
                        help="PNG file for the sample grid (.txt for language models)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --output")
    parser.add_argument("--num-samples", type=positive_int,
                        help="default 64 images, or 1 text continuation")
    parser.add_argument("--seed", type=random_seed, default=0)
    parser.add_argument("--columns", type=positive_int, default=8, help="grid width")
    diffusion = parser.add_argument_group("diffusion models")
    diffusion.add_argument("--sampler", choices=("ddpm", "ddim"), help="default ddim")
    diffusion.add_argument("--steps", type=positive_int,
                           help="denoiser calls (default: all T for ddpm, 50 for ddim)")
    diffusion.add_argument("--eta", type=float,
                           help="DDIM noise scale in [0, 1] (default 0: deterministic)")
    diffusion.add_argument("--spacing", choices=("leading", "linspace", "trailing"),
                           help="default trailing")
    diffusion.add_argument("--trajectory", help="also write a PNG of 8 frames x_T ... x_0 per row")
    gan = parser.add_argument_group("conditional GANs")
    gan.add_argument("--labels", type=int, nargs="+",
                     help="class labels, repeated to --num-samples (default: 0, 1, 2, ...)")
    flow = parser.add_argument_group("normalizing flows")
    flow.add_argument("--temperature", type=float,
                      help="flows: latent noise scale, > 0 (default 1.0; below 1: cleaner, less "
                           "varied); language models: softmax temperature, >= 0 (0: greedy)")
    text = parser.add_argument_group("language models")
    text.add_argument("--prompt", help="text to continue (default: a newline)")
    text.add_argument("--max-new-tokens", type=positive_int,
                      help=f"characters to add (default {DEFAULT_NEW_TOKENS})")
    text.add_argument("--top-k", type=positive_int, help="sample among the k likeliest characters")
    text.add_argument("--top-p", type=float, help="nucleus sampling: probability mass in (0, 1]")
    text.add_argument("--no-cache", action="store_true",
                      help="re-run the whole context per character instead of the KV cache")
    args = parser.parse_args(argv)
    if args.temperature is not None and not args.temperature >= 0:
        parser.error(f"--temperature must be >= 0; got {args.temperature}")
    if args.top_p is not None and not 0.0 < args.top_p <= 1.0:
        parser.error(f"--top-p must lie in (0, 1]; got {args.top_p}")
    if not args.output.endswith((".png", ".txt")):
        parser.error(f"--output {args.output} must name a .png file (a .txt file for language "
                     "models)")
    check_model_file(parser, args.model_file)
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        parser.error(f"the folder of --output {args.output} does not exist; create it first or "
                     "choose another --output")
    if reason := unwritable_reason(folder, "--output's folder"):
        parser.error(reason)
    # The .npy beside a grid is written too: it must not replace a file of yours either.
    arrays = args.output[:-len(".png")] + ".npy" if args.output.endswith(".png") else None
    if args.trajectory is not None and os.path.abspath(args.trajectory) in {
            os.path.abspath(path) for path in (args.output, arrays) if path}:
        parser.error(f"--trajectory {args.trajectory} is the file --output writes; name "
                     "another .png")
    for path in (args.output, arrays, args.trajectory):
        if path and os.path.exists(path) and not args.overwrite:
            parser.error(f"{path} already exists; choose another file or pass --overwrite")
    if args.eta is not None and not 0.0 <= args.eta <= 1.0:
        parser.error(f"--eta must lie in [0, 1]; got {args.eta}")
    if args.eta is not None and args.sampler == "ddpm":
        parser.error("--eta is the DDIM sampler's noise scale (the ddpm sampler's is fixed); "
                     "drop --eta or pass --sampler ddim")
    return parser, args


# The family options: each flag is a keyword argument of some models' `sample` (the protocol of
# keras_gen.models.protocol); a model takes the flag exactly when its `sample` takes the argument.
SAMPLE_OPTIONS = {  # flag: (sample's argument, the models that take it)
    "--sampler": ("sampler", "diffusion models"),
    "--steps": ("num_steps", "diffusion models"),
    "--eta": ("eta", "diffusion models"),
    "--spacing": ("spacing", "diffusion models"),
    "--trajectory": ("return_trajectory", "diffusion models"),
    "--labels": ("labels", "conditional GANs"),
    "--temperature": ("temperature", "normalizing flows and language models"),
}
# Where the app's default differs from the model's: 50 DDIM steps draw a grid in seconds.
APP_DEFAULTS = {"sampler": "ddim"}


def given_options(args):
    """{flag: value for sample} for each family flag on the command line (--trajectory names
    a file; sample gets True)."""
    values = {flag: getattr(args, flag[2:]) for flag in SAMPLE_OPTIONS}
    if values["--trajectory"] is not None:
        values["--trajectory"] = True
    return {flag: value for flag, value in values.items() if value is not None}


def draw(model, args, parser):
    """Returns (images, trajectory or None) through the protocol's `sample`, whatever the family;
    a language model (whose data are a tokenizer's ids) returns its continuations instead."""
    import inspect

    import numpy as np

    name = type(model).__name__
    is_text = hasattr(model, "tokenizer")
    if is_text != args.output.endswith(".txt"):
        parser.error(f"{args.model_file} holds a {name}: --output must name a "
                     f"{'.txt' if is_text else '.png'} file")
    text_flags = {"--prompt": args.prompt is not None, "--max-new-tokens": args.max_new_tokens,
                  "--top-k": args.top_k, "--top-p": args.top_p, "--no-cache": args.no_cache}
    if not is_text and any(text_flags.values()):
        used = ", ".join(flag for flag, value in text_flags.items() if value)
        parser.error(f"{used} for language models only; {args.model_file} holds a {name}")
    if not hasattr(model, "sample"):
        parser.error(f"{name} does not sample (an autoencoder has no prior); use a VAE, GAN, "
                     "DDPM, flow or language model file")
    vocabulary = len(model.tokenizer.vocabulary) if is_text else None
    if args.top_k is not None and is_text and args.top_k > vocabulary:
        parser.error(f"--top-k {args.top_k} is more than the model's {vocabulary} characters; "
                     f"pass --top-k 1..{vocabulary}")
    if args.steps is not None and args.steps > getattr(model, "num_timesteps", args.steps):
        parser.error(f"--steps {args.steps} is more than the model's {model.num_timesteps} "
                     f"timesteps; pass --steps 1..{model.num_timesteps}")
    accepted = inspect.signature(model.sample).parameters
    options = {}
    for flag, value in given_options(args).items():
        argument, takers = SAMPLE_OPTIONS[flag]
        if argument not in accepted:
            parser.error(f"{flag} is for {takers}; {args.model_file} holds a {name}")
        options[argument] = value
    args.num_samples = args.num_samples or (1 if is_text else 64)
    check_fits_in_memory(parser, *memory_estimate(model, args, is_text, options))
    if is_text:
        return continue_text(model, args), None
    for argument, value in APP_DEFAULTS.items():
        if argument in accepted:
            options.setdefault(argument, value)
    if "temperature" in options and not options["temperature"] > 0:
        parser.error(f"--temperature must be positive for a {name}; got {args.temperature}")
    if "labels" in options:  # repeated to --num-samples
        options["labels"] = np.resize(np.asarray(options["labels"]), args.num_samples)
    result = model.sample(args.num_samples, seed=args.seed, **options)
    return result if options.get("return_trajectory") else (result, None)


def memory_estimate(model, args, is_text, options):
    """`(what, bytes, advice)`: a lower bound on the memory the result alone needs, so a request
    that cannot fit is refused in a second instead of failing (or swapping) minutes later."""
    if is_text:  # int64 ids, the decoded string, the text file's copy: ~16 bytes a character
        characters = args.num_samples * (len(args.prompt or "\n")
                                          + (args.max_new_tokens or DEFAULT_NEW_TOKENS))
        return (f"--num-samples {args.num_samples} x --max-new-tokens "
                f"{args.max_new_tokens or DEFAULT_NEW_TOKENS}", 16 * characters,
                "ask for fewer characters")
    values = args.num_samples * math.prod(model.data_shape)
    if options.get("return_trajectory"):
        steps = args.steps or (model.num_timesteps if options.get("sampler") == "ddpm" else 50)
        values *= steps + 2
    # float32 samples, their clipped copy, the .npy and the picture's pixels: 4 copies at least.
    return (f"--num-samples {args.num_samples}", 4 * 4 * values,
            "ask for fewer --num-samples (and run the command again for more)")


def continue_text(model, args):
    """`args.num_samples` continuations of the prompt, as a list of strings."""
    import numpy as np

    prompt = "\n" if args.prompt is None else args.prompt
    ids = np.tile(model.tokenizer.encode(prompt), (args.num_samples, 1))  # names a bad character
    generated = model.generate(ids, args.max_new_tokens or DEFAULT_NEW_TOKENS,
                               temperature=1.0 if args.temperature is None else args.temperature,
                               top_k=args.top_k, top_p=args.top_p, seed=args.seed,
                               use_cache=not args.no_cache)
    return [model.tokenizer.decode(row) for row in generated]


def write_texts(texts, path):
    """One continuation, or several each under a `--- sample i ---` line."""
    from keras_gen.atomic_files import atomic_path

    body = texts[0] if len(texts) == 1 else "\n\n".join(
        f"--- sample {i} ---\n{text}" for i, text in enumerate(texts))
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(body)
    return body


def main(argv=None):
    parser, args = parse_args(argv)
    import_tensorflow_quietly()
    model = load_model_file(parser, args.model_file)
    start = time.perf_counter()
    try:
        images, trajectory = draw(model, args, parser)
    except ValueError as error:
        parser.error(str(error))
    except Exception as error:
        if not is_out_of_memory(error):
            raise
        exit_with_error(parser, f"out of memory while sampling ({type(error).__name__}); ask "
                                "for fewer --num-samples")
    seconds = time.perf_counter() - start
    try:
        return write_samples(model, args, images, trajectory, seconds)
    except OSError as error:  # the disk filled while the files were written
        exit_with_error(parser, f"the samples could not be written ({file_error_text(error)}); "
                                "each file is whole or was not written: free space and run again")


def write_samples(model, args, images, trajectory, seconds):
    """Writes the grid (or points, or text), the .npy beside it and the trajectory; each file is
    written under a temporary name and renamed, so a failed write replaces nothing."""
    import keras
    import numpy as np

    from keras_gen.atomic_files import atomic_path
    from keras_gen.plotting import save_image_grid, save_point_cloud

    if isinstance(images, list):  # a language model's continuations
        print(write_texts(images, args.output))
        characters = len(images) * (args.max_new_tokens or DEFAULT_NEW_TOKENS)
        print(f"{characters} characters from {type(model).__name__} on "
              f"{keras.config.backend()} in {seconds:.2f} s ({characters / seconds:.0f} "
              f"characters/s, {'no ' if args.no_cache else ''}KV cache); text written to "
              f"{args.output}")
        return images
    if len(model.data_shape) == 1:  # 2-D points (a flow trained on toy data): a scatter plot
        save_point_cloud(images, args.output)
    else:
        save_image_grid(images, args.output, args.columns, model.value_range)
    with atomic_path(args.output[:-len(".png")] + ".npy") as temporary:
        with open(temporary, "wb") as file:
            np.save(file, images)
    if args.trajectory:
        frames = np.linspace(0, trajectory.shape[1] - 1, 8).round().astype(int)
        strip = trajectory[:8, frames].reshape((-1,) + trajectory.shape[2:])
        save_image_grid(strip, args.trajectory, 8, model.value_range)
    print(f"{len(images)} samples from {type(model).__name__} on {keras.config.backend()} in "
          f"{seconds:.2f} s; grid written to {args.output}")
    return images


if __name__ == "__main__":
    main()
