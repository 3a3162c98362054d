"""PNG pictures: image grids, loss curves, densities, diversity diagnostics.

Every picture is drawn on its own `matplotlib.figure.Figure`, never through pyplot: the library
picks no matplotlib backend and leaves no figure open, so a notebook's plots stay as they were.
"""

from keras_gen.plotting.image_grid import save_image_grid, tile_images
from keras_gen.plotting.loss_curve import read_training_log, save_loss_curves
from keras_gen.plotting.density import (
    density_grid,
    save_density_comparison,
    save_latent_mapping,
    save_point_cloud,
)
from keras_gen.plotting.sample_diagnostics import (
    save_mode_samples,
    save_nearest_pairs,
    save_principal_components,
)
