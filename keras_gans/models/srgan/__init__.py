from keras_gans.models.srgan.srgan import (
    SRGAN,
    feature_extractor,
    srgan_discriminator,
    srresnet_generator,
)

__all__ = ["SRGAN", "feature_extractor", "srgan_discriminator", "srresnet_generator"]
