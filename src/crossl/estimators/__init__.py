"""scikit-learn estimators over NumPy arrays: pretrain, transform to features, classify."""

from crossl.estimators.arrays import ArrayInputError, windows_from_arrays
from crossl.estimators.classifier import CrosslClassifier
from crossl.estimators.encoder import CrosslEncoder

__all__ = ["ArrayInputError", "CrosslClassifier", "CrosslEncoder", "windows_from_arrays"]
