"""Scale-out through the engines Keras already ships, one entry point per kind of parallelism.

- `data_parallel(num_devices)`: every family. JAX: `keras.distribution.DataParallel`;
  TensorFlow: `tf.distribute.MirroredStrategy` (`MultiWorkerMirroredStrategy` under
  `TF_CONFIG`). torch: refused in one line, since Keras' torch backend has no distribution
  engine (its `fit()` never wraps a model in DistributedDataParallel).
- `model_parallel(num_devices)`: MiniGPT's attention and feed-forward weights sharded over a
  "model" axis (JAX: `keras.distribution.ModelParallel` with `gpt_layout_map`).
- `simulate_cpu_devices(n)`: n devices on one CPU, for trying either on a laptop (and for the
  tests).

The recipe is the same on every backend: enter the scope, then build, compile and fit there.

    >>> keras_gen.distribute.simulate_cpu_devices(2)   # only without real accelerators
    >>> with keras_gen.distribute.data_parallel(2):
    ...     model = keras_gen.models.VAE()
    ...     model.compile(optimizer="adam")
    ...     model.fit(dataset, epochs=1)   # batches must split evenly: drop_remainder
"""

from keras_gen.distribute.data_parallel import data_parallel, is_chief, num_replicas
from keras_gen.distribute.devices import DistributionError, simulate_cpu_devices
from keras_gen.distribute.model_parallel import check_divisible, gpt_layout_map, model_parallel
