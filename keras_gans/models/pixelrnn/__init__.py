from keras_gans.models.pixelrnn.pixelrnn import PixelRNN

__all__ = ["PixelRNN"]
