"""`apps.train --distribute`: the command-line face of `keras_gen.distribute`.

    KERAS_BACKEND=jax python -m apps.train --model vae --distribute data_parallel --devices 8
    KERAS_BACKEND=jax python -m apps.train --model mini_gpt --distribute model_parallel
    python -m apps.train --model dcgan --distribute data_parallel --devices 2 --simulate-devices

The whole run -- loading a checkpoint to resume, building, compiling, fitting, saving -- happens
inside the distribution's scope, so every variable is created where the distribution puts it.
"""

import contextlib
import tempfile

from apps.cli_types import positive_int

KINDS = ("data_parallel", "model_parallel")


def add_distribution_arguments(parser):
    parser.add_argument("--distribute", choices=KINDS,
                        help="train on several devices through Keras' own engines: "
                             "data_parallel (every model; JAX or TensorFlow) or model_parallel "
                             "(mini_gpt's blocks sharded over 2 devices; JAX)")
    parser.add_argument("--devices", type=positive_int,
                        help="with --distribute: how many devices (default: all of this "
                             "machine's accelerators)")
    parser.add_argument("--simulate-devices", action="store_true",
                        help="with --devices N: split this CPU into N devices (for trying "
                             "--distribute without accelerators; no speed-up)")


def check_distribution_arguments(parser, args):
    """The one-line refusals that need no backend: run before anything is imported."""
    if args.distribute is None:
        if args.devices is not None or args.simulate_devices:
            parser.error("--devices and --simulate-devices go with --distribute; add "
                         "--distribute data_parallel")
        return
    if args.simulate_devices and args.devices is None:
        parser.error("--simulate-devices splits the CPU into --devices devices; add --devices N")
    if args.distribute == "model_parallel" and args.model != "mini_gpt":
        parser.error(f"--distribute model_parallel shards MiniGPT's blocks; --model "
                     f"{args.model} trains with --distribute data_parallel")
    replicas = replicas_of(args.devices or 1, args.distribute)
    if args.devices and (replicas == 0 or args.batch_size % replicas):
        parser.error(f"--batch-size {args.batch_size} does not split evenly over {replicas} "
                     f"data-parallel replica(s) of --devices {args.devices}; pass a batch size "
                     f"divisible by {max(replicas, 1)}")


def data_parallel_replicas(args):
    """Replicas each batch is split over (1 without --distribute)."""
    if args.distribute is None:
        return 1
    import keras_gen.distribute as distribute

    devices = args.devices or len(distribute.devices.accelerator_devices())
    return max(1, replicas_of(devices, args.distribute))


def replicas_of(devices, kind):
    """Data-parallel replicas among `devices`: model_parallel spends 2 devices on each."""
    return devices // (2 if kind == "model_parallel" else 1)


def whole_batches(arrays, replicas):
    """`arrays` (an array or a tuple of arrays) cut to a multiple of `replicas`: a distributed
    step splits every batch evenly (the evaluation batch of 500 splits over 2, 4 or 5), and
    TensorFlow's replicas fail on a last batch of 51 and 50 ("Inputs to operation AddN ... must
    have the same size")."""
    if replicas == 1 or arrays is None:
        return arrays
    first = arrays[0] if isinstance(arrays, tuple) else arrays
    keep = len(first) - len(first) % replicas
    if keep == 0:
        raise ValueError(f"{len(first)} test examples cannot be split over {replicas} devices; "
                         f"pass a --test-subset of at least {replicas}")
    return tuple(a[:keep] for a in arrays) if isinstance(arrays, tuple) else arrays[:keep]


@contextlib.contextmanager
def distribution_scope(parser, args):
    """The scope the run lives in (none without --distribute); a distribution that cannot be
    set up is one line, before any work."""
    if args.distribute is None:
        yield
        return
    import keras_gen.distribute as distribute

    enter = {"data_parallel": distribute.data_parallel,
             "model_parallel": distribute.model_parallel}[args.distribute]
    with contextlib.ExitStack() as stack:
        try:
            if args.simulate_devices:
                distribute.simulate_cpu_devices(args.devices)
            if args.distribute == "model_parallel":
                distribute.check_divisible(
                    args.preset_settings["model"], model_devices=2)
            stack.enter_context(enter(args.devices))
        except distribute.DistributionError as error:
            parser.error(str(error))
        if not distribute.is_chief():
            # Several hosts run this same command; the chief (process 0) alone writes the run
            # folder, the others write theirs where nobody looks (Keras' multi-worker rule).
            args.output = tempfile.mkdtemp(prefix="keras_gen_worker_")
        yield

