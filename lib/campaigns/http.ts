import { readJsonBody } from "@/lib/api/body";

/**
 * A JSON body that may be left out (launch, close, sign-off, complete take
 * optional options): no body at all reads as {}; a body that is sent must be JSON.
 */
export async function optionalJsonBody(req: Request, maxBytes = 16 * 1024): Promise<unknown> {
  const declared = req.headers.get("content-length");
  if (!req.body || declared === "0" || (!req.headers.get("content-type") && declared === null)) return {};
  return readJsonBody(req, maxBytes);
}
