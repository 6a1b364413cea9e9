"""STS: temporary credentials, every call authorized by the policy engine."""

from localiam.services.sts._service import StsService

__all__ = ["StsService"]
