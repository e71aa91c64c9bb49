"""Deployment: a pretrained network as one module from raw sensor windows and a presence mask to
features, and its export to ONNX and TorchScript."""

from crossl.deploy.deployable import DeployableModel
from crossl.deploy.export import EXPORT_FORMATS, ExportedModel, export_model, verify_export

__all__ = [
    "EXPORT_FORMATS",
    "DeployableModel",
    "ExportedModel",
    "export_model",
    "verify_export",
]
