import { errorForLog } from "@/lib/errors/log-safe";
import type { ByteSink } from "./zip-stream";

/**
 * A response body written by `write` as it produces bytes, with backpressure:
 * each write waits until the reader has room (the stream's queue is ~1 MiB),
 * so a slow download slows the export instead of buffering it. A failure
 * midway errors the stream: the client sees a cut-off download (a zip with no
 * manifest or central directory, which no verifier accepts), never a
 * truncated file that looks whole. Cancelling the download stops the export.
 *
 * `noBackpressure`: on embedded PGlite the export's transaction holds the only
 * connection, so a slow download must not keep it open: the body is produced
 * as fast as the database gives it and queued (PGlite deployments are
 * demo-sized; on PostgreSQL the export waits for the reader and memory stays
 * bounded).
 */
export function streamedBody(write: (sink: ByteSink) => Promise<void>, requestId: string, o: { noBackpressure?: boolean } = {}): ReadableStream<Uint8Array> {
  let wake: (() => void) | null = null;
  let cancelled = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        wake?.();
        wake = null;
      },
      cancel() {
        cancelled = true;
        wake?.();
        wake = null;
      },
    },
    { highWaterMark: 1024 * 1024, size: (chunk) => chunk.byteLength },
  );
  const sink: ByteSink = {
    async write(chunk) {
      if (cancelled) throw new Error("the download was cancelled");
      if (chunk.byteLength === 0) return;
      controller.enqueue(chunk);
      while (!o.noBackpressure && !cancelled && (controller.desiredSize ?? 0) <= 0) await new Promise<void>((r) => (wake = r));
    },
  };
  void write(sink).then(
    () => {
      if (!cancelled) controller.close();
    },
    (err: unknown) => {
      if (cancelled) return;
      console.error(`[api] request ${requestId}: evidence export failed while streaming: ${errorForLog(err)}`);
      controller.error(err);
    },
  );
  return stream;
}
