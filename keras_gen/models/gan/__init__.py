"""GANs: DCGAN, WGAN-GP and a conditional GAN, trained by alternating updates on any backend."""

from keras_gen.models.gan.conditional_gan import ConditionalGAN
from keras_gen.models.gan.dcgan import DCGAN
from keras_gen.models.gan.wgan_gp import WGANGP
