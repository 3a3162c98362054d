import subprocess
import sys

import numpy as np
import pytest

from keras_gen.plotting import read_training_log, save_image_grid, save_loss_curves, tile_images

pytestmark = pytest.mark.backend_independent


def test_tile_layout_and_scaling():
    images = np.stack([np.full((2, 3, 1), v, "float32") for v in (-1.0, 0.0, 1.0)])
    grid = tile_images(images, num_columns=2, value_range=(-1.0, 1.0), padding=1)
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    assert grid[1, 1, 0] == 0.0 and grid[1, 5, 0] == 0.5 and grid[4, 1, 0] == 1.0


def test_png_files_are_written(tmp_path):
    path = save_image_grid(np.random.default_rng(0).random((5, 4, 4, 1)), str(tmp_path / "g.png"))
    with open(path, "rb") as file:
        assert file.read(4) == b"\x89PNG"
    log = tmp_path / "log.csv"
    log.write_text("epoch,loss,val_loss\n0,3.0,NA\n1,2.0,NA\n")
    assert read_training_log(str(log)) == {"epoch": [0.0, 1.0], "loss": [3.0, 2.0]}
    curve = save_loss_curves(str(log), str(tmp_path / "curve.png"))
    with open(curve, "rb") as file:
        assert file.read(4) == b"\x89PNG"


def test_loss_curve_panels_group_metrics(tmp_path):
    log = tmp_path / "gan.csv"
    log.write_text("epoch,d_loss,g_loss,real_accuracy\n0,1.3,0.7,0.6\n1,1.2,0.8,0.55\n")
    curve = save_loss_curves(str(log), str(tmp_path / "gan.png"),
                             panels=[["d_loss", "g_loss"], ["real_accuracy", "missing"]])
    with open(curve, "rb") as file:
        assert file.read(4) == b"\x89PNG"
    assert save_loss_curves(str(log), str(tmp_path / "none.png"), panels=[["missing"]]) is None


def test_drawing_picks_no_matplotlib_backend_and_leaves_no_figure(tmp_path):
    # A fresh interpreter, as a notebook starts: its backend choice must survive our plots.
    script = f"""
import sys, matplotlib, numpy as np
matplotlib.use("svg")
from keras_gen import plotting
rng = np.random.default_rng(0)
plotting.save_image_grid(rng.random((4, 4, 4, 1)), {str(tmp_path / "g.png")!r})
open({str(tmp_path / "log.csv")!r}, "w").write("epoch,loss\\n0,1.0\\n1,0.5\\n")
plotting.save_loss_curves({str(tmp_path / "log.csv")!r}, {str(tmp_path / "c.png")!r})
plotting.save_point_cloud(rng.standard_normal((50, 2)), {str(tmp_path / "p.png")!r})
pyplot = sys.modules.get("matplotlib.pyplot")  # Keras imports it; pyplot counts open figures
print(matplotlib.get_backend(), len(pyplot.get_fignums()) if pyplot else 0)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["svg", "0"]
    assert all((tmp_path / name).stat().st_size > 0 for name in ("g.png", "c.png", "p.png"))


def test_diversity_pictures_are_drawn_and_a_one_component_scatter_refused(tmp_path):
    from matplotlib.image import imread

    from keras_gen.data import grid_of_gaussians
    from keras_gen.metrics import closest_pairs, compare_principal_components
    from keras_gen.plotting import (
        save_mode_samples,
        save_nearest_pairs,
        save_principal_components,
    )

    grid = grid_of_gaussians()
    save_mode_samples(grid.sample(500), grid.modes, grid.std, str(tmp_path / "modes.png"))
    images = np.random.default_rng(0).random((40, 6, 6, 1))
    pairs, distances = closest_pairs(images, 10)
    save_nearest_pairs(images, pairs, distances, str(tmp_path / "pairs.png"),
                       threshold=distances.min())
    save_principal_components(compare_principal_components(images, images[::-1], 3),
                              str(tmp_path / "pca.png"))
    for name in ("modes.png", "pairs.png", "pca.png"):
        assert imread(str(tmp_path / name)).shape[0] > 100  # a real picture, not an empty file
    # One column per pair: 4 batches, 4 pairs, twice as wide as tall or more.
    height, width = imread(str(tmp_path / "pairs.png")).shape[:2]
    assert width > height
    with pytest.raises(ValueError, match="num_components >= 2"):
        save_principal_components(compare_principal_components(images, images, 1),
                                  str(tmp_path / "one.png"))
