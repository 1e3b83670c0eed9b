/** The graph fixtures/octo-org.json makes, by kind (asserted by the converter's and the connector's tests). */
export const OCTO_NODES = { resource: 4, entitlement: 8, human: 7, group: 2, service_account: 2, credential: 7 };
export const OCTO_EDGES = { grants: 17, has_entitlement: 13, member_of: 5, uses_credential: 2, credential_for: 14 };
