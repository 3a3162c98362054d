"""`AdversarialModel`: alternating generator / discriminator updates with `fit()` on TF, JAX, torch.

This is the one module among keras_gen's models that branches on the backend: a GAN step needs two
gradient computations (one per network) that `keras.ops` cannot express. Everything a subclass
writes — its losses, penalties and metrics — is shared `keras.ops` code; this module only supplies

- `_gradients(loss_fn, variables)`: d loss / d variables, per backend:
  TF records a GradientTape; torch zeroes *every* trainable variable's `.grad` (so no gradient
  left over from the other network's phase leaks in) and calls `backward()`; JAX differentiates a
  pure function of the phase's variables inside a StatelessScope that maps every model variable.
- `input_gradients(function, x)`: d sum(function(x)) / dx with a differentiable result, for
  gradient penalties (second-order on every backend).
- `train_step`: `critic_steps` discriminator updates, then one generator update, each with its own
  optimizer (alternating: the generator's gradient sees the updated discriminator). With
  `simultaneous_updates=True` both gradients are taken at the same point and then both applied,
  the gradient descent-ascent that game theory analyses (see
  apps/experiments/alternating_vs_simultaneous.py for what it does to convergence). On JAX the
  whole step runs under one StatelessScope over the model's state, so the same code as TF and
  torch updates the state that JAX's compiled step threads through.

Two optimizers (two time-scale update rule, Heusel et al., 2017) live in one
`keras.optimizers.MultiOptimizer`: JAX's trainer threads exactly `model.optimizer.variables`, and
`.keras` files save exactly those, so both optimizers' state survives JAX steps and round trips.
"""

import re

import keras
from keras import ops

from keras_gen.distribute.data_parallel import num_replicas
from keras_gen.models.base import GenerativeModel


def _default_optimizer():
    # The DCGAN paper's setting (Radford et al., 2016): beta_1 = 0.5 damps oscillation.
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def input_gradients(function, x):
    """Gradient of sum(function(x)) with respect to the input x, itself differentiable."""
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(function(x))
        return tape.gradient(total, x)
    if backend == "jax":
        import jax

        return jax.grad(lambda inputs: ops.sum(function(inputs)))(x)
    if backend == "torch":
        import torch

        x = x.detach().requires_grad_(True)
        total = ops.sum(function(x))
        return torch.autograd.grad(total, x, create_graph=True)[0]
    raise NotImplementedError(f"Backend {backend!r} is not supported by keras_gen GANs.")


class AdversarialModel(GenerativeModel):
    """Base class of the GANs: subclasses provide the networks and the two phase losses.

    Subclasses set `self.generator` and `self.discriminator` (built Keras models) and implement:

    - `discriminator_loss(real, condition)` -> scalar; updates its own metric trackers.
    - `generator_loss(batch_size, condition)` -> scalar; updates its own metric trackers.
    - `unpack(data)` -> `(real, condition)` (default: data is the real batch, no condition).

    Args:
        critic_steps: int. Discriminator (critic) updates per generator update (n_critic).
        simultaneous_updates: bool. Take both networks' gradients at the same weights and apply
            them together (one update each per step), instead of alternating.
    """

    def __init__(self, critic_steps=1, simultaneous_updates=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(critic_steps, bool) or int(critic_steps) < 1:
            raise ValueError(f"critic_steps must be a positive integer; got {critic_steps!r}.")
        self.critic_steps = int(critic_steps)
        self.simultaneous_updates = bool(simultaneous_updates)
        if self.simultaneous_updates and self.critic_steps != 1:
            raise ValueError(f"simultaneous_updates makes one update of each network per step; "
                             f"set critic_steps=1 (got {self.critic_steps}).")

    # --- compile: two optimizers in one MultiOptimizer --------------------------------------
    def compile(self, generator_optimizer=None, discriminator_optimizer=None, optimizer=None,
                **kwargs):
        """Compiles with one optimizer per network (default Adam(2e-4, beta_1=0.5) each).

        Args:
            generator_optimizer: optimizer or identifier for the generator.
            discriminator_optimizer: optimizer or identifier for the discriminator / critic.
            optimizer: a `MultiOptimizer` from a saved compile config (used by `.keras` loading;
                its two inner optimizers are reused and re-mapped onto this model's variables).
        """
        if optimizer is not None:
            if not isinstance(optimizer, keras.optimizers.MultiOptimizer) or len(
                    optimizer.optimizers) != 2:
                raise ValueError("A GAN is compiled with generator_optimizer= and "
                                 "discriminator_optimizer=, not a single optimizer.")
            # MultiOptimizer lists the mapped (discriminator) optimizer first, the default last.
            discriminator_optimizer, generator_optimizer = optimizer.optimizers
        generator_optimizer = keras.optimizers.get(generator_optimizer or _default_optimizer())
        discriminator_optimizer = keras.optimizers.get(
            discriminator_optimizer or _default_optimizer())
        if generator_optimizer is discriminator_optimizer:
            raise ValueError("Pass two optimizer instances: one optimizer object cannot hold "
                             "the state of both networks.")
        generator_paths = {v.path for v in self.generator.trainable_variables}
        discriminator_paths = [v.path for v in self.discriminator.trainable_variables]
        shared = generator_paths.intersection(discriminator_paths)
        if shared:
            raise ValueError(f"Generator and discriminator share variable paths {sorted(shared)[:3]}"
                             "; give their layers distinct names.")
        # Exact paths, not a pattern: the mapping is rebuilt from the live model at every
        # compile (including after loading), so it never depends on how layers were named.
        optimizer_map = keras.optimizers.OptimizerMap(
            default_optimizer=generator_optimizer,
            optimizer_map={re.escape(path): discriminator_optimizer
                           for path in discriminator_paths})
        super().compile(optimizer=keras.optimizers.MultiOptimizer(optimizer_map), **kwargs)
        # TF traces train_step before the first apply: create every optimizer variable now.
        self.optimizer.build(self.trainable_variables)

    @property
    def generator_optimizer(self):
        return self.optimizer.optimizers[1]

    @property
    def discriminator_optimizer(self):
        return self.optimizer.optimizers[0]

    # --- the step ---------------------------------------------------------------------------
    def unpack(self, data):
        """Returns `(real, condition)`; `condition` is None for unconditional models."""
        if isinstance(data, (tuple, list)):
            return data[0], None
        return data, None

    def discriminator_update(self, real, condition):
        """One discriminator (critic) update; changes only discriminator weights."""
        variables = self.discriminator.trainable_variables
        gradients = self._gradients(lambda: self.discriminator_loss(real, condition), variables)
        self._apply(self.discriminator_optimizer, gradients, variables)

    def generator_update(self, batch_size, condition):
        """One generator update; changes only generator weights."""
        variables = self.generator.trainable_variables
        gradients = self._gradients(lambda: self.generator_loss(batch_size, condition), variables)
        self._apply(self.generator_optimizer, gradients, variables)

    def train_step(self, *args):
        if keras.config.backend() == "jax":
            return self._jax_train_step(*args)
        return self._stateful_train_step(*args)

    def simultaneous_update(self, real, condition):
        """Both networks' gradients at the current weights, then both applied."""
        discriminator_variables = self.discriminator.trainable_variables
        generator_variables = self.generator.trainable_variables
        discriminator_gradients = self._gradients(
            lambda: self.discriminator_loss(real, condition), discriminator_variables)
        generator_gradients = self._gradients(
            lambda: self.generator_loss(ops.shape(real)[0], condition), generator_variables)
        self._apply(self.discriminator_optimizer, discriminator_gradients,
                    discriminator_variables)
        self._apply(self.generator_optimizer, generator_gradients, generator_variables)

    def _stateful_train_step(self, data):
        real, condition = self.unpack(data)
        if self.simultaneous_updates:
            self.simultaneous_update(real, condition)
        else:
            for _ in range(self.critic_steps):
                self.discriminator_update(real, condition)
            self.generator_update(ops.shape(real)[0], condition)
        self.optimizer.iterations.assign_add(1)
        return {metric.name: metric.result() for metric in self.metrics}

    def test_step(self, data):
        raise NotImplementedError(
            "GANs have no held-out loss to evaluate; judge samples with keras_gen.metrics "
            "instead of model.evaluate().")

    # --- per-backend mechanics --------------------------------------------------------------
    def _state_variables(self):
        return (list(self.trainable_variables) + list(self.non_trainable_variables)
                + list(self.optimizer.variables) + list(self.metrics_variables))

    def _apply(self, optimizer, gradients, variables):
        if keras.config.backend() == "torch":
            import torch

            with torch.no_grad():
                optimizer.apply(gradients, variables)
        else:
            optimizer.apply(gradients, variables)

    def _gradients(self, loss_fn, variables):
        backend = keras.config.backend()
        if backend == "tensorflow":
            import tensorflow as tf

            with tf.GradientTape() as tape:
                # Replicas' gradients are summed under tf.distribute: divide for the mean.
                loss = loss_fn() / num_replicas()
            return tape.gradient(loss, variables)
        if backend == "torch":
            for variable in self.trainable_variables:  # both networks: nothing carries over
                variable.value.grad = None
            loss_fn().backward()
            return [variable.value.grad for variable in variables]
        if backend == "jax":
            return self._jax_gradients(loss_fn, variables)
        raise NotImplementedError(f"Backend {backend!r} is not supported by keras_gen GANs.")

    def _jax_gradients(self, loss_fn, variables):
        import jax

        phase_ids = {id(v) for v in variables}
        others = [v for v in self._state_variables() if id(v) not in phase_ids]
        other_values = [v.value for v in others]  # current values in the enclosing scope

        def loss_of(values):
            mapping = list(zip(variables, values)) + list(zip(others, other_values))
            with keras.StatelessScope(state_mapping=mapping) as scope:
                loss = loss_fn()
                updated = [scope.get_current_value(v) for v in others]
            return loss, updated

        gradients, updated = jax.grad(loss_of, has_aux=True)([v.value for v in variables])
        for variable, value in zip(others, updated):  # seeds, metrics, norm statistics
            variable.assign(value)
        return gradients

    def _jax_train_step(self, state, data):
        variables = self._state_variables()
        values = [value for group in state for value in group]
        with keras.StatelessScope(state_mapping=list(zip(variables, values))) as scope:
            logs = self._stateful_train_step(data)
            new_values = [scope.get_current_value(v) for v in variables]
        new_state, start = [], 0
        for group in state:
            new_state.append(new_values[start:start + len(group)])
            start += len(group)
        return logs, tuple(new_state)
