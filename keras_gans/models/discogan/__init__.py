from keras_gans.models.discogan.discogan import DiscoGAN

__all__ = ["DiscoGAN"]
