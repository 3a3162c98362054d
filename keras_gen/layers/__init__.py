"""Reusable keras_gen layers."""

from keras_gen.layers.act_norm import ActNorm
from keras_gen.layers.affine_coupling import AffineCoupling
from keras_gen.layers.max_unpooling import MaxUnpooling2D
from keras_gen.layers.sampling import Sampling
from keras_gen.layers.saved_statistics_layer_norm import SavedStatisticsLayerNormalization
from keras_gen.layers.sinusoidal_embedding import SinusoidalEmbedding
from keras_gen.layers.spatial_self_attention import SpatialSelfAttention
from keras_gen.layers.squeeze import squeeze2d, unsqueeze2d
from keras_gen.layers.sub_pixel_conv2d_transpose import SubPixelConv2DTranspose
from keras_gen.layers.tap_gradient_conv2d import TapGradientConv2D
from keras_gen.layers.time_conditioned_residual_block import TimeConditionedResidualBlock
