"""How the apps compile each family: optimizers and learning-rate schedules from a preset."""


def learning_rate_schedule(preset, learning_rate):
    """The preset's learning rate: constant, or cosine-decayed over `cosine_decay_steps` steps
    to `final_learning_rate_fraction` of the peak (default 5%) when the preset names them,
    after a linear warm-up over `warmup_steps` steps when it names those too."""
    import keras

    if not preset.get("cosine_decay_steps"):
        return learning_rate
    final_fraction = preset.get("final_learning_rate_fraction", 0.05)
    warmup_steps = int(preset.get("warmup_steps", 0))
    if warmup_steps:
        # nanoGPT's warm-up: linear from learning_rate / warmup_steps up to learning_rate.
        return keras.optimizers.schedules.CosineDecay(
            learning_rate / warmup_steps, preset["cosine_decay_steps"], alpha=final_fraction,
            warmup_target=learning_rate, warmup_steps=warmup_steps)
    return keras.optimizers.schedules.CosineDecay(learning_rate, preset["cosine_decay_steps"],
                                                  alpha=final_fraction)


def compile_single_objective(model, preset, learning_rate):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate_schedule(preset, learning_rate)))


def compile_language_model(model, preset, learning_rate):
    """nanoGPT's optimizer: AdamW (decoupled weight decay; the model keeps biases and LayerNorm
    out of it), beta_2 0.99, the gradients' global norm clipped to 1 (`clip_grad_norm_` over all
    parameters, not each variable's own norm), warm-up then cosine decay. Plain Adam when the
    preset names no weight decay (the bigram baseline)."""
    import keras

    schedule = learning_rate_schedule(preset, learning_rate)
    options = {"beta_2": preset.get("beta_2", 0.999),
               "global_clipnorm": preset.get("global_clipnorm")}
    if preset.get("weight_decay"):
        optimizer = keras.optimizers.AdamW(schedule, weight_decay=preset["weight_decay"],
                                           **options)
    else:
        optimizer = keras.optimizers.Adam(schedule, **options)
    model.compile(optimizer=optimizer)


def compile_adversarial(model, preset, learning_rate):
    """Two Adam optimizers (TTUR when the preset's discriminator rate differs), cosine-decayed
    when the preset names `cosine_decay_steps` (generator steps: the critic's schedule is
    `critic_steps` times longer, as it steps that many times per generator step)."""
    import keras

    def adam(rate, preset):
        return keras.optimizers.Adam(learning_rate_schedule(preset, rate), beta_1=0.5,
                                     beta_2=preset.get("beta_2", 0.999))

    critic_preset = dict(preset)
    if preset.get("cosine_decay_steps"):
        critic_preset["cosine_decay_steps"] = preset["cosine_decay_steps"] * model.critic_steps
    model.compile(generator_optimizer=adam(learning_rate, preset),
                  discriminator_optimizer=adam(preset.get("discriminator_learning_rate",
                                                          learning_rate), critic_preset))


def compile_with_ema(model, preset, learning_rate):
    """Adam with an exponential moving average of the weights (used for sampling)."""
    import keras

    model.compile(optimizer=keras.optimizers.Adam(
        learning_rate, use_ema=preset.get("ema_momentum") is not None,
        ema_momentum=preset.get("ema_momentum") or 0.99))
