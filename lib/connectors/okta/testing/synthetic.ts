import { AnswerBundle } from "../../bundle";

/**
 * A generated Okta tenant in the Management API's documented answer shapes
 * (users, groups, memberships, apps, user and group assignments), for size
 * tests and benchmarks: every person a user, one group per `groupSize`
 * people (each person also in the next group), ten apps assigned to groups,
 * one of them the AWS app with a role per group.
 */
export function syntheticOktaBundle(people: { email: string; name: string }[], groupSize = 100): AnswerBundle {
  const b = new AnswerBundle();
  const users = people.map((p, i) => {
    const [first, ...rest] = p.name.split(" ");
    return {
      id: `00u${i.toString(36).padStart(17, "0")}`,
      status: "ACTIVE",
      activated: "2024-01-01T00:00:00.000Z",
      type: { id: "oty00000000000000001" },
      profile: { login: p.email, email: p.email, firstName: first ?? p.name, lastName: rest.join(" ") || p.name },
    };
  });
  for (let i = 0; i < users.length; i += 200) b.add("api/v1/users", users.slice(i, i + 200));
  const groupCount = Math.max(1, Math.ceil(users.length / groupSize));
  const groups = Array.from({ length: groupCount }, (_, g) => ({
    id: `00g${g.toString(36).padStart(17, "0")}`,
    type: "OKTA_GROUP",
    profile: { name: `Team ${g}` },
  }));
  b.add("api/v1/groups", groups);
  groups.forEach((g, k) => {
    const members = [...users.slice(k * groupSize, (k + 1) * groupSize), ...users.slice((k + 1) * groupSize, (k + 1) * groupSize + groupSize / 2)];
    for (let i = 0; i < Math.max(members.length, 1); i += 1000) b.add(`api/v1/groups/${g.id}/users`, members.slice(i, i + 1000));
  });
  const apps = Array.from({ length: 10 }, (_, a) => ({
    id: `0oa${a.toString(36).padStart(17, "0")}`,
    name: a === 0 ? "amazon_aws" : `app_${a}`,
    label: a === 0 ? "AWS Account Federation" : `App ${a}`,
    status: "ACTIVE",
    signOnMode: "SAML_2_0",
    settings: { app: a === 0 ? { identityProviderArn: "arn:aws:iam::123456789012:saml-provider/Okta" } : {} },
  }));
  b.add("api/v1/apps", apps);
  apps.forEach((app, a) => {
    b.add(`api/v1/apps/${app.id}/users`, a === 1 ? users.slice(0, 200).map((u) => ({ id: u.id, scope: "USER", status: "ACTIVE", profile: {} })) : []);
    const assigned = groups.filter((_, g) => g % 10 === a);
    b.add(
      `api/v1/apps/${app.id}/groups`,
      assigned.map((g, n) => ({ id: g.id, priority: n, profile: a === 0 ? { samlRoles: [`Team-${n}`] } : {} })),
    );
  });
  return b;
}
