"""The EC2 instance metadata service (IMDSv1 and IMDSv2): instance facts, user data, and role
credentials from instance profiles, for localiam's simulated instances."""

from localiam.imds._credentials import RoleSessions
from localiam.imds._service import PREFIX, Imds, ImdsAnswer

__all__ = ["PREFIX", "Imds", "ImdsAnswer", "RoleSessions"]
