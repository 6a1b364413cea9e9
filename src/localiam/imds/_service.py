"""The instance metadata service (IMDSv1 and IMDSv2) of localiam's EC2 instances, at
`/_localiam/imds/<instance id>/` on the server's port (give that URL to SDKs as
`AWS_EC2_METADATA_SERVICE_ENDPOINT`), answering the paths EC2 serves
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html):

- `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` (1-21600) gives an IMDSv2
  token (400 without a valid TTL; 403 when the request carries `X-Forwarded-For`, as EC2 refuses
  proxied token requests);
- every GET needs the token in `X-aws-ec2-metadata-token` when the instance's `HttpTokens` is
  `required` (401 otherwise); a token that is invalid or expired is 401 too;
- `meta-data/` and its categories, `user-data`, `dynamic/instance-identity/document`,
  `meta-data/tags/instance/` when the instance allows tags in metadata.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from localiam.imds._credentials import RoleAnswer, RoleSessions
from localiam.imds._instances import InstanceFacts, find_instance
from localiam.imds._tokens import MAX_TTL, TokenStore

PREFIX = "/_localiam/imds/"

_TEXT = (("content-type", "text/plain"),)
_JSON = (("content-type", "text/plain"),)  # EC2 serves JSON documents as text/plain too


@dataclass(frozen=True, slots=True)
class ImdsAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(status: int, body: str) -> ImdsAnswer:
    return ImdsAnswer(status, _TEXT, body.encode())


_NOT_FOUND = """<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
	"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>404 - Not Found</title>
 </head>
 <body>
  <h1>404 - Not Found</h1>
 </body>
</html>
"""


def _not_found() -> ImdsAnswer:
    return ImdsAnswer(404, (("content-type", "text/html"),), _NOT_FOUND.encode())


def _status(code: int, title: str) -> ImdsAnswer:
    return ImdsAnswer(
        code,
        (("content-type", "text/html"),),
        _NOT_FOUND.replace("404 - Not Found", f"{code} - {title}").encode(),
    )


class Imds:
    """Metadata for every instance of the EC2 backend."""

    def __init__(
        self,
        sessions: RoleSessions,
        clock: Callable[[], datetime],
        lookup: Callable[[str], InstanceFacts | None] = find_instance,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.lookup = lookup
        self.tokens = TokenStore()

    def reset(self) -> None:
        self.tokens.clear()
        self.sessions.clear()

    def handle(self, method: str, path: str, headers: dict[str, str]) -> ImdsAnswer:
        """`path` is the request path after `/_localiam/imds/`: `<instance id>/latest/...`."""
        instance_id, _, rest = path.partition("/")
        facts = self.lookup(instance_id)
        if facts is None or facts.http_endpoint == "disabled":
            return _not_found()
        now = self.clock()
        rest = "/" + rest
        if rest == "/latest/api/token":
            if method != "PUT":
                return _status(405, "Method Not Allowed")
            return self._token(facts, headers, now)
        if method not in ("GET", "HEAD"):
            return _status(405, "Method Not Allowed")
        token = headers.get("x-aws-ec2-metadata-token")
        if token is not None:
            if not self.tokens.valid(token, facts.instance_id, now):
                return _status(401, "Unauthorized")
            delivery = "2.0"
        elif facts.http_tokens == "required":
            return _status(401, "Unauthorized")
        else:
            delivery = "1.0"
        answer = self._get(facts, rest, now, delivery)
        if method == "HEAD":
            return ImdsAnswer(answer.status, answer.headers, b"")
        return answer

    def _token(self, facts: InstanceFacts, headers: dict[str, str], now: datetime) -> ImdsAnswer:
        if "x-forwarded-for" in headers:
            return _status(403, "Forbidden")
        raw = headers.get("x-aws-ec2-metadata-token-ttl-seconds")
        try:
            ttl = int(raw) if raw is not None else 0
        except ValueError:
            ttl = 0
        if not 1 <= ttl <= MAX_TTL:
            return _status(400, "Bad Request")
        token = self.tokens.issue(facts.instance_id, ttl, now)
        return ImdsAnswer(
            200,
            (*_TEXT, ("x-aws-ec2-metadata-token-ttl-seconds", str(ttl))),
            token.encode(),
        )

    def _get(self, facts: InstanceFacts, path: str, now: datetime, delivery: str) -> ImdsAnswer:
        if path in ("/latest", "/latest/"):
            return _text(
                200, "dynamic\nmeta-data\nuser-data" if facts.user_data else "dynamic\nmeta-data"
            )
        if path == "/latest/user-data":
            if facts.user_data is None:
                return _not_found()
            return ImdsAnswer(200, (("content-type", "application/octet-stream"),), facts.user_data)
        if path in ("/latest/dynamic", "/latest/dynamic/"):
            return _text(200, "instance-identity/")
        if path in ("/latest/dynamic/instance-identity", "/latest/dynamic/instance-identity/"):
            return _text(200, "document")
        if path == "/latest/dynamic/instance-identity/document":
            return ImdsAnswer(200, _JSON, json.dumps(_identity(facts), indent=2).encode())
        if path.startswith("/latest/meta-data"):
            return self._meta(facts, path.removeprefix("/latest/meta-data"), now, delivery)
        return _not_found()

    def _meta(self, facts: InstanceFacts, path: str, now: datetime, delivery: str) -> ImdsAnswer:
        values = {
            "ami-id": facts.image_id,
            "ami-launch-index": "0",
            "hostname": facts.hostname,
            "local-hostname": facts.hostname,
            "instance-id": facts.instance_id,
            "instance-type": facts.instance_type,
            "instance-life-cycle": "on-demand",
            "local-ipv4": facts.private_ip,
            "mac": facts.mac,
            "reservation-id": facts.reservation_id,
            "security-groups": "\n".join(facts.security_groups),
            "placement/availability-zone": facts.availability_zone,
            "placement/region": facts.region,
        }
        key = path.strip("/")
        if key == "":
            names = sorted({k.split("/")[0] + ("/" if "/" in k else "") for k in values})
            extra = ["iam/"] if facts.profile_arn else []
            if facts.metadata_tags:
                extra.append("tags/")
            return _text(200, "\n".join(sorted(names + extra)))
        if key in values:
            return _text(200, values[key])
        if key == "placement":
            return _text(200, "availability-zone\nregion")
        if key.startswith("iam"):
            return self._iam(facts, key, now, delivery)
        if key.startswith("tags"):
            return self._tags(facts, key)
        return _not_found()

    def _iam(self, facts: InstanceFacts, key: str, now: datetime, delivery: str) -> ImdsAnswer:
        if facts.profile_arn is None:
            return _not_found()
        if key == "iam":
            return _text(200, "info\nsecurity-credentials/")
        found = self.sessions.role_of(facts)  # read once per request
        if found is None:
            return _not_found()
        profile, role = found
        if key == "iam/info":
            return ImdsAnswer(
                200,
                _JSON,
                json.dumps(
                    {
                        "Code": "Success",
                        "LastUpdated": _iso(self.sessions.last_updated(facts.instance_id) or now),
                        "InstanceProfileArn": profile.arn,
                        "InstanceProfileId": profile.instance_profile_id,
                    },
                    indent=2,
                ).encode(),
            )
        if role is None:
            return _not_found()
        if key == "iam/security-credentials":
            return _text(200, role.name)
        if key == f"iam/security-credentials/{role.name}":
            answer = self.sessions.answer(facts, profile, role, now, delivery)
            return ImdsAnswer(
                200, _JSON, json.dumps(_credentials_document(answer), indent=2).encode()
            )
        return _not_found()

    def _tags(self, facts: InstanceFacts, key: str) -> ImdsAnswer:
        if not facts.metadata_tags:
            return _not_found()
        if key in ("tags", "tags/"):
            return _text(200, "instance")
        if key == "tags/instance":
            return _text(200, "\n".join(sorted(facts.tags)))
        name = key.removeprefix("tags/instance/")
        if name in facts.tags:
            return _text(200, facts.tags[name])
        return _not_found()


def _credentials_document(answer: RoleAnswer) -> dict[str, str]:
    if answer.code != "Success":
        return {
            "Code": answer.code,
            "LastUpdated": _iso(answer.last_updated),
            "Message": answer.message,
        }
    assert answer.expiration is not None
    return {
        "Code": "Success",
        "LastUpdated": _iso(answer.last_updated),
        "Type": "AWS-HMAC",
        "AccessKeyId": answer.access_key_id,
        "SecretAccessKey": answer.secret,
        "Token": answer.token,
        "Expiration": _iso(answer.expiration),
    }


def _identity(facts: InstanceFacts) -> dict[str, object]:
    return {
        "accountId": facts.account_id,
        "architecture": facts.architecture,
        "availabilityZone": facts.availability_zone,
        "billingProducts": None,
        "devpayProductCodes": None,
        "marketplaceProductCodes": None,
        "imageId": facts.image_id,
        "instanceId": facts.instance_id,
        "instanceType": facts.instance_type,
        "kernelId": None,
        "pendingTime": _iso(facts.launch_time) if facts.launch_time else None,
        "privateIp": facts.private_ip,
        "ramdiskId": None,
        "region": facts.region,
        "version": "2017-09-30",
    }
