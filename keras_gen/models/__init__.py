"""keras_gen models: every one a `keras.Model` that trains with `fit()` on TF, JAX and torch."""

from keras_gen.models.autoencoder.autoencoder import AutoEncoder
from keras_gen.models.autoencoder.denoising_autoencoder import DenoisingAutoEncoder
from keras_gen.models.base import GenerativeModel
from keras_gen.models.diffusion import DDPM
from keras_gen.models.flow import RealNVP
from keras_gen.models.gan import DCGAN, WGANGP, ConditionalGAN
from keras_gen.models.gpt import BigramLM, CausalLanguageModel, CharTokenizer, MiniGPT
from keras_gen.models.protocol import LikelihoodModel, Sampler
from keras_gen.models.vae.vae import VAE
