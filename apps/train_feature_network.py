"""Train the feature network that FID, KID, IS and precision / recall are measured with.

Usage:
    python -m apps.train_feature_network --dataset mnist
    python -m apps.train_feature_network --dataset fashion_mnist

Writes into --output (default saved_models/feature_networks/<dataset>): `classifier.keras` (the
uncompiled classifier, loadable with plain `keras.saving.load_model`), `classifier.json` (the
command, test accuracy, SHA-256 of the .keras file, backend, date) and training_log.csv. The
committed networks under saved_models/feature_networks/ were made by this command.
"""

import argparse
import datetime
import os
import sys

from apps.cli_types import positive_float, positive_int, random_seed
from apps.quiet_start import import_tensorflow_quietly

DATASETS = ("mnist", "fashion_mnist")
MODEL_FILE, REPORT_FILE, LOG_FILE = "classifier.keras", "classifier.json", "training_log.csv"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m apps.train_feature_network",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", required=True, choices=DATASETS)
    parser.add_argument("--epochs", type=positive_int, default=12)
    parser.add_argument("--batch-size", type=positive_int, default=128)
    parser.add_argument("--learning-rate", type=positive_float, default=2e-3)
    parser.add_argument("--subset", type=positive_int,
                        help="train on the first N training images only (quick runs)")
    parser.add_argument("--seed", type=random_seed, default=0)
    parser.add_argument("--output", help="default: saved_models/feature_networks/<dataset>")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace this app's files in --output")
    args = parser.parse_args(argv)
    args.output = args.output or os.path.join("saved_models", "feature_networks", args.dataset)
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        parser.error(f"--output {args.output} is a file; pass a folder")
    existing = [name for name in (MODEL_FILE, REPORT_FILE, LOG_FILE)
                if os.path.exists(os.path.join(args.output, name))]
    if existing and not args.overwrite:
        parser.error(f"{args.output} already holds {', '.join(existing)}; pass --overwrite to "
                     "replace them or choose another --output")
    return parser, args


def main(argv=None):
    parser, args = parse_args(argv)
    os.makedirs(args.output, exist_ok=True)
    import_tensorflow_quietly()
    import keras

    from keras_gen import data
    from keras_gen.atomic_files import atomic_path, write_json
    from keras_gen.evaluation import FeatureNetwork, build_feature_classifier

    keras.utils.set_random_seed(args.seed)
    try:
        train = data.load_images(args.dataset, "train", args.batch_size, subset=args.subset,
                                 with_labels=True, seed=args.seed)
        test_images, test_labels = data.load_image_arrays(args.dataset, "test")
    except data.DataUnavailableError as error:
        parser.error(str(error))
    test_images = data.preprocess_images(test_images)
    classifier = build_feature_classifier(seed=args.seed)
    steps = args.epochs * len(train)
    classifier.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(
            args.learning_rate, steps, alpha=0.01)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"])
    print(f"Training the {args.dataset} feature classifier with the {keras.config.backend()} "
          f"backend: {args.epochs} epochs; files in {args.output}")
    classifier.fit(train, epochs=args.epochs, validation_data=(test_images, test_labels),
                   validation_batch_size=1000, shuffle=False,  # tf.data reshuffles
                   callbacks=[keras.callbacks.CSVLogger(os.path.join(args.output, LOG_FILE))])
    _, accuracy = classifier.evaluate(test_images, test_labels, batch_size=1000, verbose=0)
    model_path = os.path.join(args.output, MODEL_FILE)
    # A fresh functional model over the same layers is uncompiled: the file holds no optimizer.
    with atomic_path(model_path) as temporary:
        keras.Model(classifier.inputs, classifier.outputs, name=classifier.name).save(temporary)
    network = FeatureNetwork.from_file(model_path)
    report = {
        "dataset": args.dataset,
        "command": "python -m apps.train_feature_network " + " ".join(
            sys.argv[1:] if argv is None else map(str, argv)),
        "test_accuracy": float(accuracy),
        "test_images": int(len(test_labels)),
        "sha256": network.sha256,
        "parameters": int(classifier.count_params()),
        "epochs": args.epochs,
        "backend": keras.config.backend(),
        "date": datetime.date.today().isoformat(),
    }
    write_json(os.path.join(args.output, REPORT_FILE), report)
    print(f"Test accuracy {accuracy:.4f}; {model_path} ({os.path.getsize(model_path)} bytes, "
          f"sha256 {network.sha256[:12]}...)")
    return report


if __name__ == "__main__":
    main()
