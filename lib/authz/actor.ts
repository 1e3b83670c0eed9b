import type { Role } from "./roles";

/** Who is acting: a signed-in person, an API token, the bootstrap token, or Attest itself. */
export type Actor =
  | { type: "user"; id: string; email: string; name: string; roles: Role[]; humanNodeId: string | null }
  | { type: "token"; id: string; tokenId: string; email: string; name: string; roles: Role[]; humanNodeId: string | null }
  | { type: "bootstrap"; id: "bootstrap"; name: string; roles: Role[]; humanNodeId: null }
  | { type: "system"; id: string; name: string; roles: Role[]; humanNodeId: null };

export function systemActor(name: string): Actor {
  return { type: "system", id: `system:${name}`, name, roles: ["admin"], humanNodeId: null };
}

export function actorLabel(a: Actor): string {
  switch (a.type) {
    case "user":
      return a.email;
    case "token":
      return `${a.email} (token ${a.tokenId})`;
    default:
      return a.name;
  }
}
