from keras_gans.models.vae.vae import VAE, gaussian_kl

__all__ = ["VAE", "gaussian_kl"]
