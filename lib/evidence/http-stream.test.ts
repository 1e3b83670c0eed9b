import { describe, expect, it } from "vitest";
import { streamedBody } from "./http-stream";

const settle = async () => {
  for (let k = 0; k < 20; k++) await new Promise((r) => setImmediate(r));
};

/** A producer of ten 512 KiB chunks, counting how many it has handed over. */
function producer(fail = false) {
  const state = { written: 0, finished: false };
  const write = async (sink: { write(b: Uint8Array): Promise<void> | void }) => {
    for (let k = 0; k < 10; k++) {
      await sink.write(new Uint8Array(512 * 1024).fill(k));
      state.written++;
      if (fail && k === 3) throw new Error("database went away");
    }
    state.finished = true;
  };
  return { state, write };
}

describe("streamed response body", () => {
  it("waits for the reader once about 1 MiB is queued, and finishes as it is read", async () => {
    const p = producer();
    const body = streamedBody(p.write, "req_test");
    await settle();
    expect(p.state.written).toBeLessThanOrEqual(3); // ~1 MiB queued, then the producer waits
    expect(p.state.finished).toBe(false);
    const bytes = new Uint8Array(await new Response(body).arrayBuffer());
    expect(bytes.byteLength).toBe(10 * 512 * 1024);
    expect(bytes[9 * 512 * 1024]).toBe(9);
    expect(p.state.finished).toBe(true);
  });

  it("without backpressure (embedded PGlite) produces everything at once", async () => {
    const p = producer();
    const body = streamedBody(p.write, "req_test", { noBackpressure: true });
    await settle();
    expect(p.state.finished).toBe(true);
    expect((await new Response(body).arrayBuffer()).byteLength).toBe(10 * 512 * 1024);
  });

  it("a failure midway errors the body instead of ending it as if whole; a cancelled download stops the producer", async () => {
    const failing = producer(true);
    await expect(new Response(streamedBody(failing.write, "req_test", { noBackpressure: true })).arrayBuffer()).rejects.toThrow();
    const p = producer();
    const body = streamedBody(p.write, "req_test");
    await settle();
    await body.cancel();
    await settle();
    expect(p.state.finished).toBe(false);
    expect(p.state.written).toBeLessThanOrEqual(3);
  });
});
