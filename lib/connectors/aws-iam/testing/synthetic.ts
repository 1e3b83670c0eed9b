import { AnswerBundle } from "../../bundle";
import { CALL } from "../collect";

/**
 * A generated account in GetAccountAuthorizationDetails' CLI shape, paged 1,000 entities to a page as IAM
 * answers: one IAM user per person (named by their e-mail address, so they are `human` with `email`), as many
 * service users, `groups` groups each holding every person and service user it is dealt (`perUser` each), one
 * customer managed policy per 4 groups, one role per 10 groups trusted by a service user. For the size test and
 * the connectors benchmark (scripts/bench/connector-bundles.ts).
 */
export function syntheticIamBundle(
  people: { email: string; name: string }[],
  opts: { serviceUsers?: number; groups?: number; perUser?: number; account?: string } = {},
): AnswerBundle {
  const account = opts.account ?? "123456789012";
  const groupCount = opts.groups ?? 200;
  const perUser = Math.min(opts.perUser ?? 10, groupCount);
  const services = opts.serviceUsers ?? people.length;
  const arn = (kind: string, name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
  const policies = Array.from({ length: Math.max(1, Math.ceil(groupCount / 4)) }, (_, i) => ({
    PolicyName: `team-${i}-access`,
    PolicyId: `ANPA${String(i).padStart(17, "0")}`,
    Arn: arn("policy", `team-${i}-access`),
    Path: "/",
    DefaultVersionId: "v1",
    AttachmentCount: 4,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: "2024-01-01T00:00:00Z",
    PolicyVersionList: [
      {
        VersionId: "v1",
        IsDefaultVersion: true,
        CreateDate: "2024-01-01T00:00:00Z",
        Document: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `arn:aws:s3:::team-${i}-bucket/*` },
            { Effect: "Deny", Action: "s3:DeleteObject", Resource: `arn:aws:s3:::team-${i}-bucket/*` },
          ],
        },
      },
    ],
  }));
  const groups = Array.from({ length: groupCount }, (_, i) => ({
    GroupName: `team-${i}`,
    GroupId: `AGPA${String(i).padStart(17, "0")}`,
    Arn: arn("group", `team-${i}`),
    Path: "/",
    CreateDate: "2024-01-01T00:00:00Z",
    GroupPolicyList: [],
    AttachedManagedPolicies: [{ PolicyName: policies[i % policies.length]!.PolicyName, PolicyArn: policies[i % policies.length]!.Arn }],
  }));
  const member = (i: number) => Array.from({ length: perUser }, (_, j) => `team-${(i * 7 + j * 13) % groupCount}`).filter((g, k, all) => all.indexOf(g) === k);
  const users = [
    ...people.map((p, i) => ({
      UserName: p.email.toLowerCase().slice(0, 64),
      UserId: `AIDA${String(i).padStart(17, "0")}`,
      Arn: arn("user", `people/${p.email.toLowerCase().slice(0, 64)}`),
      Path: "/people/",
      CreateDate: "2024-01-01T00:00:00Z",
      GroupList: member(i),
      UserPolicyList: [],
      AttachedManagedPolicies: [],
      Tags: [{ Key: "name", Value: p.name }],
    })),
    ...Array.from({ length: services }, (_, i) => ({
      UserName: `svc-${i}`,
      UserId: `AIDB${String(i).padStart(17, "0")}`,
      Arn: arn("user", `service/svc-${i}`),
      Path: "/service/",
      CreateDate: "2024-01-01T00:00:00Z",
      GroupList: member(i + people.length),
      UserPolicyList: [],
      AttachedManagedPolicies: [],
    })),
  ];
  const roles = Array.from({ length: Math.max(1, Math.ceil(groupCount / 10)) }, (_, i) => ({
    RoleName: `deploy-${i}`,
    RoleId: `AROA${String(i).padStart(17, "0")}`,
    Arn: arn("role", `deploy-${i}`),
    Path: "/",
    CreateDate: "2024-01-01T00:00:00Z",
    AssumeRolePolicyDocument: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: arn("user", `service/svc-${i % Math.max(1, services)}`) }, Action: "sts:AssumeRole" }],
    },
    InstanceProfileList: [],
    RolePolicyList: [],
    AttachedManagedPolicies: [{ PolicyName: policies[i % policies.length]!.PolicyName, PolicyArn: policies[i % policies.length]!.Arn }],
    RoleLastUsed: {},
  }));
  const bundle = new AnswerBundle();
  const entities: [string, unknown][] = [
    ...users.map((u) => ["UserDetailList", u] as [string, unknown]),
    ...groups.map((g) => ["GroupDetailList", g] as [string, unknown]),
    ...roles.map((r) => ["RoleDetailList", r] as [string, unknown]),
    ...policies.map((p) => ["Policies", p] as [string, unknown]),
  ];
  for (let i = 0; i < entities.length; i += 1000) {
    const page: Record<string, unknown[]> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
    for (const [k, v] of entities.slice(i, i + 1000)) page[k]!.push(v);
    bundle.add(CALL, { ...page, IsTruncated: i + 1000 < entities.length, ...(i + 1000 < entities.length ? { Marker: `page-${i / 1000 + 2}` } : {}) });
  }
  return bundle;
}
