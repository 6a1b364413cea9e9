"""Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole,
GetServiceLinkedRoleDeletionStatus
(https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).

A service-linked role lives under `/aws-service-role/<service principal>/`, trusts only its
service, carries the service's AWS managed policy, and is changed only through these operations
(the others answer `UnmodifiableEntity`, see `_roles.ensure_modifiable`). Deletion completes at
once, so every deletion task has succeeded by the time its status is asked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input
from localiam.services.iam._lookup import get_role_row
from localiam.services.iam._roles import (
    SERVICE_LINKED_PATH,
    is_service_linked,
    new_role,
    remove_role,
    role_shape,
)
from localiam.store import find_by_name, select
from localiam.store.models import InlinePolicy, PolicyAttachment, PrincipalType, Role


@dataclass(frozen=True, slots=True)
class LinkedRole:
    """What a service names its service-linked role, whether it takes a `CustomSuffix`, and the
    AWS managed policy (under `/aws-service-role/`) attached to it."""

    name: str
    suffix: bool = False
    policy: str | None = None


#: Service principal -> its role, as each service's documentation names it (the role names
#: also appear in the resources of AWS managed policies). Services not listed get
#: `AWSServiceRoleFor` and their first label in CamelCase, and may take a suffix.
KNOWN: dict[str, LinkedRole] = {
    "access-analyzer.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAccessAnalyzer", policy="AccessAnalyzerServiceRolePolicy"
    ),
    "acm.amazonaws.com": LinkedRole(
        "AWSServiceRoleForCertificateManager", policy="CertificateManagerServiceRolePolicy"
    ),
    "autoscaling.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAutoScaling", suffix=True, policy="AutoScalingServiceRolePolicy"
    ),
    "backup.amazonaws.com": LinkedRole(
        "AWSServiceRoleForBackup", policy="AWSBackupServiceLinkedRolePolicyForBackup"
    ),
    "batch.amazonaws.com": LinkedRole("AWSServiceRoleForBatch", policy="BatchServiceRolePolicy"),
    "cloudtrail.amazonaws.com": LinkedRole(
        "AWSServiceRoleForCloudTrail", policy="CloudTrailServiceRolePolicy"
    ),
    "config.amazonaws.com": LinkedRole(
        "AWSServiceRoleForConfig", policy="AWSConfigServiceRolePolicy"
    ),
    "connect.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonConnect",
        suffix=True,
        policy="AmazonConnectServiceLinkedRolePolicy",
    ),
    "dax.amazonaws.com": LinkedRole("AWSServiceRoleForDAX", policy="DAXServiceRolePolicy"),
    "dynamodb.application-autoscaling.amazonaws.com": LinkedRole(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        policy="AWSApplicationAutoscalingDynamoDBTablePolicy",
    ),
    "ec2.application-autoscaling.amazonaws.com": LinkedRole(
        "AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest",
        policy="AWSApplicationAutoscalingEC2SpotFleetRequestPolicy",
    ),
    "ec2fleet.amazonaws.com": LinkedRole(
        "AWSServiceRoleForEC2Fleet", policy="AWSEC2FleetServiceRolePolicy"
    ),
    "ecs.amazonaws.com": LinkedRole("AWSServiceRoleForECS", policy="AmazonECSServiceRolePolicy"),
    "ecs.application-autoscaling.amazonaws.com": LinkedRole(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        policy="AWSApplicationAutoscalingECSServicePolicy",
    ),
    "eks.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonEKS", policy="AmazonEKSServiceRolePolicy"
    ),
    "eks-fargate.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonEKSForFargate", policy="AmazonEKSForFargateServiceRolePolicy"
    ),
    "eks-nodegroup.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonEKSNodegroup", policy="AWSServiceRoleForAmazonEKSNodegroup"
    ),
    "elasticache.amazonaws.com": LinkedRole(
        "AWSServiceRoleForElastiCache", policy="ElastiCacheServiceRolePolicy"
    ),
    "elasticbeanstalk.amazonaws.com": LinkedRole(
        "AWSServiceRoleForElasticBeanstalk", policy="AWSElasticBeanstalkServiceRolePolicy"
    ),
    "elasticfilesystem.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonElasticFileSystem",
        policy="AmazonElasticFileSystemServiceRolePolicy",
    ),
    "elasticloadbalancing.amazonaws.com": LinkedRole(
        "AWSServiceRoleForElasticLoadBalancing",
        policy="AWSElasticLoadBalancingServiceRolePolicy",
    ),
    "elasticmapreduce.amazonaws.com": LinkedRole(
        "AWSServiceRoleForEMRCleanup", policy="AmazonEMRCleanupPolicy"
    ),
    "es.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonElasticsearchService",
        policy="AmazonElasticsearchServiceRolePolicy",
    ),
    "events.amazonaws.com": LinkedRole(
        "AWSServiceRoleForCloudWatchEvents", policy="CloudWatchEventsServiceRolePolicy"
    ),
    "fsx.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonFSx", policy="AmazonFSxServiceRolePolicy"
    ),
    "globalaccelerator.amazonaws.com": LinkedRole(
        "AWSServiceRoleForGlobalAccelerator", policy="AWSGlobalAcceleratorSLRPolicy"
    ),
    "guardduty.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonGuardDuty", policy="AmazonGuardDutyServiceRolePolicy"
    ),
    "inspector2.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonInspector2", policy="AmazonInspector2ServiceRolePolicy"
    ),
    "kafka.amazonaws.com": LinkedRole("AWSServiceRoleForKafka", policy="KafkaServiceRolePolicy"),
    "lakeformation.amazonaws.com": LinkedRole(
        "AWSServiceRoleForLakeFormationDataAccess",
        policy="LakeFormationDataAccessServiceRolePolicy",
    ),
    "lexv2.amazonaws.com": LinkedRole(
        "AWSServiceRoleForLexV2Bots", suffix=True, policy="AmazonLexV2BotPolicy"
    ),
    "macie.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonMacie", policy="AmazonMacieServiceRolePolicy"
    ),
    "opensearchservice.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonOpenSearchService", policy="AmazonOpenSearchServiceRolePolicy"
    ),
    "ops.apigateway.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAPIGateway", policy="APIGatewayServiceRolePolicy"
    ),
    "organizations.amazonaws.com": LinkedRole(
        "AWSServiceRoleForOrganizations", policy="AWSOrganizationsServiceTrustPolicy"
    ),
    "rds.amazonaws.com": LinkedRole("AWSServiceRoleForRDS", policy="AmazonRDSServiceRolePolicy"),
    "rds.application-autoscaling.amazonaws.com": LinkedRole(
        "AWSServiceRoleForApplicationAutoScaling_RDSCluster",
        policy="AWSApplicationAutoscalingRDSClusterPolicy",
    ),
    "redshift.amazonaws.com": LinkedRole(
        "AWSServiceRoleForRedshift", policy="AmazonRedshiftServiceLinkedRolePolicy"
    ),
    "replication.ecr.amazonaws.com": LinkedRole(
        "AWSServiceRoleForECRReplication", policy="ECRReplicationServiceRolePolicy"
    ),
    "securityhub.amazonaws.com": LinkedRole(
        "AWSServiceRoleForSecurityHub", policy="AWSSecurityHubServiceRolePolicy"
    ),
    "servicequotas.amazonaws.com": LinkedRole(
        "AWSServiceRoleForServiceQuotas", policy="ServiceQuotasServiceRolePolicy"
    ),
    "spot.amazonaws.com": LinkedRole(
        "AWSServiceRoleForEC2Spot", policy="AWSEC2SpotServiceRolePolicy"
    ),
    "spotfleet.amazonaws.com": LinkedRole(
        "AWSServiceRoleForEC2SpotFleet", policy="AWSEC2SpotFleetServiceRolePolicy"
    ),
    "ssm.amazonaws.com": LinkedRole(
        "AWSServiceRoleForAmazonSSM", policy="AmazonSSMServiceRolePolicy"
    ),
    "sso.amazonaws.com": LinkedRole("AWSServiceRoleForSSO", policy="AWSSSOServiceRolePolicy"),
    "support.amazonaws.com": LinkedRole(
        "AWSServiceRoleForSupport", policy="AWSSupportServiceRolePolicy"
    ),
    "transitgateway.amazonaws.com": LinkedRole(
        "AWSServiceRoleForVPCTransitGateway", policy="AWSVPCTransitGatewayServiceRolePolicy"
    ),
    "trustedadvisor.amazonaws.com": LinkedRole(
        "AWSServiceRoleForTrustedAdvisor", policy="AWSTrustedAdvisorServiceRolePolicy"
    ),
}

_TASK = re.compile(
    r"task/aws-service-role/(?P<service>[\w+=,.@-]+)/(?P<role>[\w+=,.@-]+)/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def linked_role(service: str) -> LinkedRole:
    """The role a service principal gets: the known one, else `AWSServiceRoleFor<Service>`."""
    known = KNOWN.get(service)
    if known is not None:
        return known
    label = service.split(".", 1)[0]
    camel = "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", label))
    return LinkedRole(f"AWSServiceRoleFor{camel}", suffix=True)


def trust_policy_for(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        separators=(",", ":"),
    )


def create_service_linked_role(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    service = params["AWSServiceName"]
    linked = linked_role(service)
    suffix = params.get("CustomSuffix")
    if suffix is not None and not linked.suffix:
        raise invalid_input(f"Custom suffix is not allowed for {service}")
    name = linked.name if suffix is None else f"{linked.name}_{suffix}"
    if find_by_name(ctx.session, Role, ctx.account_id, name) is not None:
        raise invalid_input(
            f"Service role name {name} has been taken in this account, "
            "please try a different suffix."
        )
    role = new_role(
        ctx,
        name=name,
        path=f"{SERVICE_LINKED_PATH}{service}/",
        trust_policy=trust_policy_for(service),
        description=params.get("Description"),
    )
    ctx.session.flush()
    policy_arn = f"arn:aws:iam::aws:policy{SERVICE_LINKED_PATH}{linked.policy}"
    if linked.policy is not None and ctx.managed.get(policy_arn) is not None:
        ctx.session.add(
            PolicyAttachment(
                account_id=ctx.account_id,
                policy_arn=policy_arn,
                principal_type=PrincipalType.ROLE,
                principal_id=role.role_id,
            )
        )
    return {"Role": role_shape(ctx, role, view="create")}


def delete_service_linked_role(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """The service removes the role's policies with it; the task completes at once."""
    role = get_role_row(ctx, params["RoleName"])
    if not is_service_linked(role):
        raise ServiceError(
            "NoSuchEntity",
            f"The service-linked role with name {role.name} cannot be found.",
            404,
        )
    service = role.path[len(SERVICE_LINKED_PATH) :].rstrip("/")
    for model in (PolicyAttachment, InlinePolicy):
        for row in ctx.session.scalars(
            select(model).where(
                model.principal_type == PrincipalType.ROLE, model.principal_id == role.role_id
            )
        ):
            ctx.session.delete(row)
    remove_role(ctx, role)
    task = ctx.ids.new_request_id()
    return {"DeletionTaskId": f"task/aws-service-role/{service}/{role.name}/{task}"}


def get_service_linked_role_deletion_status(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    task_id = params["DeletionTaskId"]
    if _TASK.fullmatch(task_id) is None:
        raise invalid_input(f"DeletionTaskId {task_id} is not valid.")
    return {"Status": "SUCCEEDED"}


HANDLERS: dict[str, Handler] = {
    "CreateServiceLinkedRole": create_service_linked_role,
    "DeleteServiceLinkedRole": delete_service_linked_role,
    "GetServiceLinkedRoleDeletionStatus": get_service_linked_role_deletion_status,
}
