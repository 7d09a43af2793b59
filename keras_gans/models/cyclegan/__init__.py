from keras_gans.models.cyclegan.cyclegan import CycleGAN, cycle_loss

__all__ = ["CycleGAN", "cycle_loss"]
