from keras_gans.models.infogan.infogan import InfoGAN

__all__ = ["InfoGAN"]
