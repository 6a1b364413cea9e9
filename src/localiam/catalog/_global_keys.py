"""AWS global condition context keys and their types.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

GLOBAL_KEYS: dict[str, str] = {
    # Set on root sessions made by sts:AssumeRoot (AWS's example SCPs deny root actions unless
    # it is present).
    "aws:assumedroot": "Bool",
    "aws:calledvia": "ArrayOfString",
    "aws:calledviafirst": "String",
    "aws:calledvialast": "String",
    "aws:currenttime": "Date",
    "aws:epochtime": "Numeric",
    "aws:federatedprovider": "String",
    "aws:multifactorauthage": "Numeric",
    "aws:multifactorauthpresent": "Bool",
    "aws:principalaccount": "String",
    "aws:principalarn": "ARN",
    "aws:principalisawsservice": "Bool",
    "aws:principalorgid": "String",
    "aws:principalorgpaths": "ArrayOfString",
    "aws:principalservicename": "String",
    "aws:principalservicenameslist": "ArrayOfString",
    "aws:principaltype": "String",
    "aws:referer": "String",
    "aws:requestedregion": "String",
    "aws:resourceaccount": "String",
    "aws:resourceorgid": "String",
    "aws:resourceorgpaths": "ArrayOfString",
    "aws:securetransport": "Bool",
    "aws:sourceaccount": "String",
    "aws:sourcearn": "ARN",
    "aws:sourceidentity": "String",
    "aws:sourceip": "IPAddress",
    "aws:sourceorgid": "String",
    "aws:sourceorgpaths": "ArrayOfString",
    "aws:sourcevpc": "String",
    "aws:sourcevpce": "String",
    "aws:sourcevpcarn": "ARN",
    "aws:tagkeys": "ArrayOfString",
    "aws:tokenissuetime": "Date",
    "aws:useragent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:viaawsservice": "Bool",
    "aws:vpcsourceip": "IPAddress",
    "aws:ec2instancesourceprivateipv4": "IPAddress",
    "aws:ec2instancesourcevpc": "String",
}

# Keys whose last part is a tag key or similar name chosen by the user.
GLOBAL_KEY_PREFIXES: dict[str, str] = {
    "aws:principaltag/": "String",
    "aws:requesttag/": "String",
    "aws:resourcetag/": "String",
}


def global_key_type(key: str) -> str | None:
    lowered = key.lower()
    if lowered in GLOBAL_KEYS:
        return GLOBAL_KEYS[lowered]
    for prefix, key_type in GLOBAL_KEY_PREFIXES.items():
        if lowered.startswith(prefix):
            return key_type
    return None
