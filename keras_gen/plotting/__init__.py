"""PNG pictures: image grids and loss curves."""

from keras_gen.plotting.image_grid import save_image_grid, tile_images
from keras_gen.plotting.loss_curve import read_training_log, save_loss_curves
