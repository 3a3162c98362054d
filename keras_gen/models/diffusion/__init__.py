from keras_gen.models.diffusion.ddpm import DDPM
from keras_gen.models.diffusion.diffusion_sampler import DiffusionSampler
from keras_gen.models.diffusion.unet import build_unet
