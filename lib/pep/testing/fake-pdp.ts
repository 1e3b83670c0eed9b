import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Decision, EvaluationRequest } from "../types";

/**
 * A small AuthZEN 1.0 PDP for tests (node:http): the HTTPS JSON binding's endpoints at their default paths, the
 * metadata document, X-Request-ID echoed, bearer token checked, 400 for a request missing subject/action/resource.
 * It records every request (headers, parsed body, which connection) and can be told to misbehave.
 */
export type FakePdpMode = "ok" | "status500" | "garbage" | "not-a-decision" | "hang" | "wrong-request-id" | "text-plain" | "short-batch";
export type FakePdpMetadata = "published" | "absent" | "mismatch" | "no-batch" | "foreign-endpoint";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
  connection: number;
}

export interface FakePdp {
  url: string;
  requests: RecordedRequest[];
  /** Evaluation calls only (no metadata reads). */
  evaluationCalls(): RecordedRequest[];
  mode: FakePdpMode;
  metadata: FakePdpMetadata;
  /** The policy: one decision per (subject, action, resource, context). Default: allow. */
  decide: (r: EvaluationRequest) => Decision;
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const validEntity = (v: unknown, key: "id" | "name") => isObject(v) && typeof v[key] === "string" && (key === "name" || typeof v.type === "string");

export async function startFakePdp(opts: { token?: string } = {}): Promise<FakePdp> {
  const pending = new Set<ServerResponse>();
  const ids = new WeakMap<Socket, number>();
  let nextId = 1;
  const pdp: FakePdp = {
    url: "",
    requests: [],
    evaluationCalls: () => pdp.requests.filter((r) => r.path.startsWith("/access/")),
    mode: "ok",
    metadata: "published",
    decide: () => ({ decision: true }),
    close: async () => {
      for (const res of pending) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown, requestId?: string) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (requestId) headers["x-request-id"] = pdp.mode === "wrong-request-id" ? "someone-else" : requestId;
    res.writeHead(status, headers).end(typeof body === "string" ? body : JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const path = (req.url ?? "/").split("?")[0]!;
    pdp.requests.push({ method: req.method ?? "", path, headers: req.headers, body, connection: ids.get(req.socket) ?? 0 });
    const requestId = typeof req.headers["x-request-id"] === "string" ? req.headers["x-request-id"] : undefined;

    if (req.method === "GET" && path === "/.well-known/authzen-configuration") {
      if (pdp.metadata === "absent") return send(res, 404, "not found");
      const me = pdp.metadata === "mismatch" ? "https://other-pdp.example.com" : pdp.url;
      const doc: Record<string, unknown> = { policy_decision_point: me, access_evaluation_endpoint: `${pdp.url}/access/v1/evaluation` };
      if (pdp.metadata === "foreign-endpoint") doc.access_evaluation_endpoint = "https://evil.example.com/access/v1/evaluation";
      if (pdp.metadata !== "no-batch") doc.access_evaluations_endpoint = `${pdp.url}/access/v1/evaluations`;
      return send(res, 200, doc);
    }
    if (req.method !== "POST" || (path !== "/access/v1/evaluation" && path !== "/access/v1/evaluations")) return send(res, 404, "not found", requestId);
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return send(res, 401, "unauthorized", requestId);
    if (!/^application\/json/.test(req.headers["content-type"] ?? "")) return send(res, 400, "content-type must be application/json", requestId);

    if (pdp.mode === "hang") {
      pending.add(res);
      return;
    }
    if (pdp.mode === "status500") return send(res, 500, "internal error", requestId);
    if (pdp.mode === "garbage") return send(res, 200, "{ this is not json", requestId);
    if (pdp.mode === "text-plain") {
      res.writeHead(200, { "content-type": "text/plain", ...(requestId ? { "x-request-id": requestId } : {}) }).end('{"decision":true}');
      return;
    }
    if (pdp.mode === "not-a-decision")
      return send(res, 200, path.endsWith("evaluations") ? { evaluations: [{ decision: "yes" }] } : { decision: "yes" }, requestId);
    if (!isObject(body)) return send(res, 400, "body must be a JSON object", requestId);

    const complete = (r: Record<string, unknown>) => validEntity(r.subject, "id") && validEntity(r.action, "name") && validEntity(r.resource, "id");
    if (path === "/access/v1/evaluation") {
      if (!complete(body)) return send(res, 400, "subject, action and resource are required", requestId);
      return send(res, 200, pdp.decide(body as unknown as EvaluationRequest), requestId);
    }
    const items = Array.isArray(body.evaluations) ? body.evaluations : [];
    if (items.length === 0) {
      if (!complete(body)) return send(res, 400, "subject, action and resource are required", requestId);
      return send(res, 200, pdp.decide(body as unknown as EvaluationRequest), requestId);
    }
    const merged = items.map((i: unknown) => {
      const item = isObject(i) ? i : {};
      return {
        subject: item.subject ?? body.subject,
        action: item.action ?? body.action,
        resource: item.resource ?? body.resource,
        context: item.context ?? body.context,
      };
    });
    if (!merged.every(complete)) return send(res, 400, "every evaluation needs subject, action and resource", requestId);
    const semantic = isObject(body.options) ? body.options.evaluations_semantic : undefined;
    const out: Decision[] = [];
    for (const m of merged) {
      const d = pdp.decide(m as unknown as EvaluationRequest);
      out.push(d);
      if ((semantic === "deny_on_first_deny" && !d.decision) || (semantic === "permit_on_first_permit" && d.decision)) break;
    }
    return send(res, 200, { evaluations: pdp.mode === "short-batch" ? out.slice(0, -1) : out }, requestId);
  });
  server.on("connection", (socket) => ids.set(socket, nextId++));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  pdp.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return pdp;
}
