import { describe, expect, it } from "vitest";
import { parseAdapterArgs, parseProxyArgs } from "./proxy-cli";

describe("pep CLI arguments", () => {
  it("reads the flags and the upstream command after --", () => {
    expect(
      parseProxyArgs([
        "--pdp",
        "http://localhost:3000",
        "--token-env=ATTEST_PDP_TOKEN",
        "--subject",
        "agt_1",
        "--server-name",
        "everything",
        "--timeout-ms",
        "500",
        "--",
        "node",
        "server.js",
        "--",
        "x",
      ]),
    ).toEqual({
      pdp: "http://localhost:3000",
      tokenEnv: "ATTEST_PDP_TOKEN",
      subject: "agt_1",
      serverName: "everything",
      timeoutMs: 500,
      hideApprovalRequired: false,
      log: false,
      discover: true,
      command: "node",
      args: ["server.js", "--", "x"],
    });
  });

  it("names what is missing or wrong", () => {
    const base = ["--pdp", "http://localhost:3000", "--subject", "agt_1", "--server-name", "s"];
    expect(parseProxyArgs([...base])).toEqual({ error: "the upstream command is missing (after --)" });
    expect(parseProxyArgs(["--subject", "agt_1", "--server-name", "s", "--", "x"])).toEqual({ error: "--pdp is required" });
    expect(parseProxyArgs(["--pdp", "ftp://x", "--subject", "a", "--server-name", "s", "--", "x"])).toEqual({ error: "--pdp must be an http(s) URL" });
    expect(parseProxyArgs([...base, "--timeout-ms", "0", "--", "x"])).toEqual({ error: "--timeout-ms needs a whole number ≥ 1" });
    expect(parseProxyArgs([...base, "--token", "abc", "--", "x"])).toEqual({ error: "unknown flag --token" });
    expect(parseProxyArgs(["--pdp", "http://x", "--server-name", "s", "--", "x"])).toEqual({ error: "--subject is required" });
    expect(parseProxyArgs(["--pdp", "http://x", "--subject", "a", "--", "x"])).toEqual({ error: "--server-name is required" });
    expect(parseProxyArgs(["--pdp"])).toEqual({ error: "--pdp needs a value" });
  });
});

describe("pep adapter arguments", () => {
  it("reads listen address, PDP, server and env names", () => {
    expect(
      parseAdapterArgs(["--listen", "127.0.0.1:8181", "--pdp", "https://attest.example.com", "--server-name", "everything", "--gateway-key-env=KEY"]),
    ).toEqual({
      host: "127.0.0.1",
      port: 8181,
      pdp: "https://attest.example.com",
      serverName: "everything",
      gatewayKeyEnv: "KEY",
    });
    expect(parseAdapterArgs(["--listen", "nowhere", "--pdp", "http://x", "--server-name", "s"])).toEqual({ error: "--listen needs HOST:PORT" });
    expect(parseAdapterArgs(["--listen", "h:1", "--server-name", "s"])).toEqual({ error: "--pdp is required" });
  });
});
