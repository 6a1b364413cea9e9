"""Instance profiles for EC2: localiam's IAM keeps profiles and their roles; moto's EC2 keeps
which instance has which profile. Before EC2 is asked to attach a profile, the profile is
mirrored into moto's IAM (same name, path, ARN and id) so that moto can associate it; the role in
it is never mirrored: the metadata service reads it from localiam's store each time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localiam.store import Database, func, select
from localiam.store.models import InstanceProfile


@dataclass(frozen=True, slots=True)
class ProfileFacts:
    name: str
    path: str
    arn: str
    profile_id: str
    role_arn: str | None


class StoreProfiles:
    """Reads instance profiles from localiam's store."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def __call__(self, account_id: str, name: str | None, arn: str | None) -> ProfileFacts | None:
        with self._db.read() as session:
            query = select(InstanceProfile).where(InstanceProfile.account_id == account_id)
            if arn:
                query = query.where(InstanceProfile.arn == arn)
            if name:
                query = query.where(InstanceProfile.name_lower == func.lower(name))
            profile = session.scalars(query).first()
            if profile is None:
                return None
            roles = list(profile.roles)
            return ProfileFacts(
                profile.name,
                profile.path,
                profile.arn,
                profile.instance_profile_id,
                roles[0].arn if roles else None,
            )


def mirror_into_moto(account_id: str, profile: ProfileFacts) -> None:
    """Make moto's IAM know the profile (by name), with localiam's path and id."""
    from moto.iam.models import iam_backends

    backend: Any = iam_backends[account_id]["aws"]
    existing = backend.instance_profiles.get(profile.name)
    if existing is None:
        existing = backend.create_instance_profile(profile.name, profile.path, role_names=[])
    existing.path = profile.path
    existing.id = profile.profile_id
