"""Data-plane enforcement: S3 (and, next, SQS, SNS, DynamoDB, EC2) requests mapped to IAM
actions, resource ARNs and condition keys, authorized by the engine, and only then served by
the backend (moto, in process)."""

from localiam.gateway._model import GatewayAnswer, GatewayRequest
from localiam.gateway._service import DataPlane

__all__ = ["DataPlane", "GatewayAnswer", "GatewayRequest"]
