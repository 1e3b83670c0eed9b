import http from "node:http";
import type { Db } from "@/db/client";
import { checkCharset, decodeUtf8 } from "@/lib/api/body";
import { errorResponse } from "@/lib/api/handler";
import { jsonErrorMessage } from "@/lib/api/json-error";
import { API_JSON_LIMITS, assertJsonShape } from "@/lib/api/json-limits";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { accessEvaluation, accessEvaluations } from "./authzen";
import { AUTHZEN_BODY_LIMIT, authzenActor, echoRequestId, pdpMetadata } from "./http";
import { publicBaseUrl } from "@/lib/notifications/config";

/**
 * A lean HTTP listener for gateways (ATTEST_PDP_PORT): the two decision endpoints (`POST /access/v1/evaluation`,
 * `/access/v1/evaluations`) and the metadata, served by node:http directly instead of through Next's request
 * pipeline, which costs more per call than the decision itself. The same authentication (bearer tokens, gateway
 * tokens cached as on the Next routes), the same domain functions, error shape and X-Request-ID echo; only the
 * plumbing differs. Searches and the policy stay on the main port.
 */
export function createPdpListener(getDb: () => Promise<Db>): http.Server {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > AUTHZEN_BODY_LIMIT) tooBig = true;
      else chunks.push(c);
    });
    req.on("end", () => {
      void answer(req, res, chunks, tooBig, getDb);
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse, chunks: Buffer[], tooBig: boolean, getDb: () => Promise<Db>) {
  const sent = req.headers["x-request-id"];
  const sentId = typeof sent === "string" ? sent : null;
  // An id of our own only when an answer needs one (an error to quote): a random id per decision costs throughput.
  let ownId: string | undefined;
  const requestId = () => sentId?.slice(0, 64) || (ownId ??= newId("req"));
  const echo = echoRequestId(sentId);
  const write = (status: number, body: string) => {
    res.writeHead(status, echo ? { "content-type": "application/json", "x-request-id": echo } : { "content-type": "application/json" });
    res.end(body);
  };
  try {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/.well-known/authzen-configuration") return write(200, JSON.stringify(pdpMetadata(publicBaseUrl())));
    if (path !== "/access/v1/evaluation" && path !== "/access/v1/evaluations") throw new AppError("not_found", "no such endpoint on the decision port");
    if (req.method !== "POST") throw new AppError("method_not_allowed", "use POST");
    const actor = await authzenActor(req.headers);
    if (actor.roles.length === 0) throw new AppError("forbidden", "your account has no role yet; ask an administrator to grant one");
    if (tooBig) throw new AppError("payload_too_large", `the request body is larger than ${AUTHZEN_BODY_LIMIT} bytes`);
    // The same checks as readJsonBody (lib/api/body.ts) on the Next routes: JSON in UTF-8, shape limits.
    const type = req.headers["content-type"] ?? "";
    if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type))
      throw new AppError("unsupported_media_type", "send the body as application/json", [{ path: "content-type", message: type ? "not JSON" : "missing" }]);
    checkCharset(type);
    const text = decodeUtf8(Buffer.concat(chunks));
    if (!text.trim()) throw new AppError("bad_request", "the request body is empty", [{ path: "body", message: "empty" }]);
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (e) {
      const message = jsonErrorMessage(text, e);
      throw new AppError("bad_request", `the body is ${message}`, [{ path: "body", message }]);
    }
    assertJsonShape(input, API_JSON_LIMITS);
    const db = await getDb();
    const opts = { requestId: sentId ? requestId() : null };
    const out = path === "/access/v1/evaluation" ? await accessEvaluation(db, actor, input, opts) : await accessEvaluations(db, actor, input, opts);
    write(200, JSON.stringify(out));
  } catch (err) {
    const r = errorResponse(err, requestId());
    res.writeHead(r.status, { "content-type": "application/json", "x-request-id": echo ?? requestId() });
    res.end(await r.text());
  }
}
