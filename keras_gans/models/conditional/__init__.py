from keras_gans.models.conditional.conditional_gan import ConditionalGAN

__all__ = ["ConditionalGAN"]
