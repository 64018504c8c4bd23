"""meshwright: describe a microservice system once; validate, review, analyze, simulate and
generate its platform from that one model."""

from meshwright.errors import MeshwrightError, ModelError
from meshwright.model import LoadedModel, Model, load_model, load_text

__version__ = "0.1.0"
__all__ = ["LoadedModel", "MeshwrightError", "Model", "ModelError", "__version__", "load_model",
           "load_text"]
