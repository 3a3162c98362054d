"""GAN objectives from discriminator logits, and the WGAN-GP gradient penalty — pure `keras.ops`.

Notation: D(x) = sigmoid(l(x)) is the discriminator's probability that x is real, computed from its
logit l; "real" and "fake" are logits on data and on generator samples. Written with softplus so no
log(0) can occur: -log sigmoid(l) = softplus(-l), -log(1 - sigmoid(l)) = softplus(l).
"""

from keras import ops

GENERATOR_LOSSES = ("non_saturating", "minimax")


def discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """-[t log D(x) + (1 - t) log(1 - D(x))] - log(1 - D(G(z))), averaged.

    `label_smoothing` > 0 sets the real target to t = 1 - label_smoothing (one-sided: fake targets
    stay 0), which keeps the discriminator from growing over-confident (Salimans et al., 2016).
    """
    target = 1.0 - label_smoothing
    real_term = target * ops.softplus(-real_logits) + (1.0 - target) * ops.softplus(real_logits)
    return ops.mean(real_term) + ops.mean(ops.softplus(fake_logits))


def generator_loss(fake_logits, kind="non_saturating"):
    """The generator's loss on D's logits for its samples.

    - "minimax": minimise log(1 - D(G(z))), the original game (Goodfellow et al., 2014). Its
      gradient vanishes when D confidently rejects the samples, i.e. early in training.
    - "non_saturating": minimise -log D(G(z)), the same fixed point with strong gradients early.
    """
    if kind == "minimax":
        return -ops.mean(ops.softplus(fake_logits))
    if kind == "non_saturating":
        return ops.mean(ops.softplus(-fake_logits))
    raise ValueError(f"generator loss must be one of {GENERATOR_LOSSES}; got {kind!r}.")


def discriminator_accuracies(real_logits, fake_logits):
    """Fractions of real samples called real and of fake samples called fake (~50% at equilibrium)."""
    real_accuracy = ops.mean(ops.cast(real_logits > 0, "float32"))
    fake_accuracy = ops.mean(ops.cast(fake_logits < 0, "float32"))
    return real_accuracy, fake_accuracy


def wasserstein_critic_loss(real_scores, fake_scores):
    """E[f(G(z))] - E[f(x)]: minimising it maximises the critic's Wasserstein-1 estimate."""
    return ops.mean(fake_scores) - ops.mean(real_scores)


def wasserstein_generator_loss(fake_scores):
    """-E[f(G(z))]."""
    return -ops.mean(fake_scores)


def interpolate(real, fake, alpha):
    """x_hat = alpha * x + (1 - alpha) * G(z), alpha ~ U(0, 1) per example (Gulrajani et al., 2017)."""
    return alpha * real + (1.0 - alpha) * fake


def gradient_penalty(input_gradients, epsilon=1e-12):
    """E[(||grad_x f(x_hat)||_2 - 1)^2] from the critic's gradients at the interpolates.

    The norm is sqrt(sum g^2 + epsilon): the plain norm has an infinite derivative at g = 0, which
    turns into NaNs in the second-order gradient the critic update needs.
    """
    flat = ops.reshape(input_gradients, (ops.shape(input_gradients)[0], -1))
    norms = ops.sqrt(ops.sum(ops.square(flat), axis=-1) + epsilon)
    return ops.mean(ops.square(norms - 1.0))
