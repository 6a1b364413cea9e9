"""The IAM API over the store, every call authorized by the policy engine."""

from localiam.services.iam._context import IamContext, KeyOwner
from localiam.services.iam._service import AuthorizationDenied, IamService, Outcome

__all__ = ["AuthorizationDenied", "IamContext", "IamService", "KeyOwner", "Outcome"]
