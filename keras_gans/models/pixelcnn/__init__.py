from keras_gans.models.pixelcnn.pixelcnn import AutoregressiveModel, PixelCNN

__all__ = ["AutoregressiveModel", "PixelCNN"]
