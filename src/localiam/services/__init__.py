"""One package per AWS service: small typed handlers over the store, authorized by authz."""
