import { AnswerBundle } from "../../bundle";
import { KEY } from "../calls";

/**
 * A generated Entra tenant in Microsoft Graph's documented answer shapes, from a list of people: for size tests
 * and the connectors benchmark (scripts/bench/connector-bundles.ts can wrap it). Deterministic. Each person is a
 * user (`mail` and UPN = their e-mail); each of the `people / groupSize` groups holds its share of people and half
 * of the next group's; every tenth group is nested in
 * the one before; ten applications (one of them the AWS enterprise application, with one role per ten groups,
 * assigned to groups) each with a client secret, an owner and app role assignments; delegated grants; one agent
 * identity per 100 people under one blueprint, each with a sponsor and an owner.
 */
export interface SyntheticEntraOptions {
  groupSize?: number;
  /** Items per page (Graph's largest for these lists is 999). */
  pageSize?: number;
}

const guid = (prefix: number, i: number) => `${prefix.toString(16).padStart(8, "0")}-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;

export function syntheticEntraBundle(people: { email: string; name: string }[], opts: SyntheticEntraOptions = {}): AnswerBundle {
  const groupSize = opts.groupSize ?? 100;
  const pageSize = opts.pageSize ?? 999;
  const b = new AnswerBundle();
  const paged = (key: string, items: unknown[]) => {
    if (items.length === 0) return b.add(key, { value: [] });
    for (let i = 0; i < items.length; i += pageSize) b.add(key, { value: items.slice(i, i + pageSize) });
  };
  const users = people.map((p, i) => ({
    id: guid(1, i),
    displayName: p.name,
    userPrincipalName: p.email,
    mail: p.email,
    accountEnabled: true,
    userType: "Member",
  }));
  paged(KEY.users, users);
  const groupCount = Math.max(1, Math.ceil(users.length / groupSize));
  const groups = Array.from({ length: groupCount }, (_, g) => ({ id: guid(2, g), displayName: `Team ${g}`, securityEnabled: true, groupTypes: [] }));
  paged(KEY.groups, groups);
  const member = (u: { id: string; displayName: string }) => ({ "@odata.type": "#microsoft.graph.user", id: u.id, displayName: u.displayName });
  groups.forEach((g, k) => {
    const members = [...users.slice(k * groupSize, (k + 1) * groupSize), ...users.slice((k + 1) * groupSize, (k + 1) * groupSize + groupSize / 2)].map(member);
    if (k % 10 === 9) members.push({ "@odata.type": "#microsoft.graph.group", id: groups[k - 1]!.id, displayName: groups[k - 1]!.displayName });
    paged(KEY.groupMembers(g.id), members);
  });

  const graph = { id: guid(3, 0), appId: "00000003-0000-0000-c000-000000000000", displayName: "Microsoft Graph" };
  const awsRoles = Array.from({ length: Math.max(1, Math.ceil(groupCount / 10)) }, (_, r) => ({
    id: guid(4, r),
    value: `arn:aws:iam::123456789012:role/Team${r},arn:aws:iam::123456789012:saml-provider/Entra`,
    displayName: `Team${r},Entra`,
    allowedMemberTypes: ["User"],
    isEnabled: true,
  }));
  const apps = Array.from({ length: 10 }, (_, a) => ({
    app: {
      id: guid(5, a),
      appId: guid(6, a),
      displayName: a === 0 ? "AWS Single-Account Access" : `App ${a}`,
      signInAudience: "AzureADMyOrg",
      passwordCredentials: [{ keyId: guid(7, a), displayName: "ci", startDateTime: "2025-01-01T00:00:00Z", endDateTime: "2027-01-01T00:00:00Z" }],
      keyCredentials: [],
    },
    sp: {
      id: guid(8, a),
      appId: guid(6, a),
      displayName: a === 0 ? "AWS Single-Account Access" : `App ${a}`,
      servicePrincipalType: "Application",
      appOwnerOrganizationId: guid(9, 0),
      accountEnabled: true,
      appRoleAssignmentRequired: true,
      appRoles: a === 0 ? awsRoles : [],
    },
  }));
  const blueprint = { id: guid(10, 0), appId: guid(11, 0), displayName: "Agent blueprint", signInAudience: "AzureADMyOrg" };
  const agents = Array.from({ length: Math.ceil(users.length / 100) }, (_, i) => ({
    "@odata.type": "#microsoft.graph.agentIdentity",
    id: guid(12, i),
    displayName: `Agent ${i}`,
    agentIdentityBlueprintId: blueprint.appId,
    servicePrincipalType: "ServiceIdentity",
    accountEnabled: true,
  }));
  paged(KEY.applications, [...apps.map((x) => x.app), { "@odata.type": "#microsoft.graph.agentIdentityBlueprint", ...blueprint }]);
  paged(KEY.servicePrincipals, [
    {
      ...graph,
      servicePrincipalType: "Application",
      appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
      appRoles: [
        {
          id: "df021288-bdef-4463-88db-98f22de89214",
          value: "User.Read.All",
          displayName: "Read all users' full profiles",
          allowedMemberTypes: ["Application"],
        },
      ],
    },
    ...apps.map((x) => x.sp),
    ...agents,
  ]);
  const owner = (u: { id: string; displayName: string } | undefined) => (u ? [member(u)] : []);
  apps.forEach((x, a) => {
    paged(KEY.applicationOwners(x.app.id), owner(users[a]));
    paged(KEY.spOwners(x.sp.id), []);
    const assigned = groups.filter((_, g) => g % 10 === a);
    paged(
      KEY.spAppRoleAssignedTo(x.sp.id),
      assigned.map((g, n) => ({
        id: `asg-${a}-${n}`,
        appRoleId: a === 0 ? awsRoles[n % awsRoles.length]!.id : "00000000-0000-0000-0000-000000000000",
        principalId: g.id,
        principalType: "Group",
        resourceId: x.sp.id,
      })),
    );
  });
  paged(
    KEY.spAppRoleAssignedTo(graph.id),
    apps.map((x, a) => ({
      id: `asg-graph-${a}`,
      appRoleId: "df021288-bdef-4463-88db-98f22de89214",
      principalId: x.sp.id,
      principalType: "ServicePrincipal",
      resourceId: graph.id,
    })),
  );
  paged(
    KEY.oauth2PermissionGrants,
    apps.map((x, a) => ({
      id: `grant-${a}`,
      clientId: x.sp.id,
      consentType: "AllPrincipals",
      principalId: null,
      resourceId: graph.id,
      scope: "User.Read openid profile",
    })),
  );
  paged(KEY.agentIdentities, agents);
  agents.forEach((ag, i) => {
    paged(KEY.agentIdentitySponsors(ag.id), owner(users[i * 100]));
    paged(KEY.spOwners(ag.id), owner(users[i * 100 + 1]));
  });
  paged(KEY.blueprints, [blueprint]);
  paged(KEY.blueprintSponsors(blueprint.id), owner(users[0]));
  return b;
}
