import { describe, expect, it } from "vitest";
import { fingerprintSecret } from "@/lib/ingest/fingerprint";
import { parseMcpConfig } from "@/lib/ingest/mcp-config/parse";
import { ALNUM, BASE64, HEX, randomish as rnd, unshapedValues } from "./fake-tokens";
import { redactArgs, redactCommand, redactNamedValue, redactValue } from "./redact-config";
import { isPlainWord, pathTemplate, urlTemplate } from "./url-template";

describe("url and path templates", () => {
  it("keeps scheme, host, port, plain path words and query names; masks opaque segments, drops values, user info and fragment", () => {
    const token = rnd(32, ALNUM, 1);
    expect(urlTemplate(`https://bot:${token}@mcp.example.com:8443/v1/${token}/sse?api_key=${token}&mode=read#${token}`)).toBe(
      "https://mcp.example.com:8443/v1/{opaque}/sse?api_key={redacted}&mode={redacted}",
    );
    expect(urlTemplate("https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/abcdefghijklmnopqrstuvwx")).toBe(
      "https://hooks.slack.com/services/{opaque}/{opaque}/{opaque}",
    );
    expect(urlTemplate("https://api.githubcopilot.com/mcp/")).toBe("https://api.githubcopilot.com/mcp/");
    expect(urlTemplate("https://mcp.linear.app/sse")).toBe("https://mcp.linear.app/sse");
    expect(urlTemplate(`https://${rnd(20, ALNUM, 2).toLowerCase()}.ngrok.app/mcp`)).toBe("https://{opaque}.ngrok.app/mcp");
    expect(urlTemplate("https://server.smithery.ai/@acme/weather-server/mcp")).toBe("https://server.smithery.ai/@acme/weather-server/mcp");
    expect(urlTemplate("https://mcp.example.com/${input:tenant}/mcp")).toBe("https://mcp.example.com/${input:tenant}/mcp");
    expect(urlTemplate("not a url")).toBe("{redacted:url}");
  });

  it("a segment is plain when it reads as words, opaque when it is random material", () => {
    for (const w of ["github", "server-github", "mcp_v2", "index.js", "Documents", "python3", "2024", "camelCase", "v1"]) expect(isPlainWord(w), w).toBe(true);
    for (const w of [rnd(16, HEX, 3), rnd(12, ALNUM, 4), "xQmTvBzK", "kqzvxmwp", "x9Qm2vT7", rnd(22, BASE64, 5)]) expect(isPlainWord(w), w).toBe(false);
    expect(pathTemplate(`/Users/ada/${rnd(16, ALNUM, 6)}/config.json`)).toBe("/Users/ada/{opaque}/config.json");
    expect(pathTemplate("C:\\Users\\ada\\Desktop")).toBe("C:\\Users\\ada\\Desktop");
    expect(pathTemplate("~/projects/attest")).toBe("~/projects/attest");
  });
});

describe("redactArgs: kept by construction", () => {
  it("keeps package and version, allow-listed flags and their simple values, known words, numbers, paths as templates", () => {
    const args = ["-y", "@modelcontextprotocol/server-filesystem@2025.3.28", "/Users/ada/Documents", "--port", "3000", "--host", "127.0.0.1", "--read-only"];
    expect(redactArgs(args, { package: "@modelcontextprotocol/server-filesystem", packageVersion: "2025.3.28" })).toEqual(args);
    const docker = ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "-e", `API_KEY=${rnd(20, ALNUM, 7)}`, "ghcr.io/github/github-mcp-server:v0.4.0"];
    expect(redactArgs(docker, { package: "ghcr.io/github/github-mcp-server", packageVersion: "v0.4.0" })).toEqual([
      "run",
      "-i",
      "--rm",
      "-e",
      "GITHUB_PERSONAL_ACCESS_TOKEN",
      "-e",
      `API_KEY={redacted:secret:${fingerprintSecret(docker[6]!.slice(8))}}`,
      "ghcr.io/github/github-mcp-server:v0.4.0",
    ]);
  });

  it("replaces every other value by a typed placeholder; secret-like ones carry a keyed fingerprint", () => {
    const token = rnd(32, ALNUM, 8);
    const out = redactArgs(
      [
        "mcp-remote",
        "https://mcp.example.com/sse",
        "--header",
        `Authorization: Bearer ${token}`,
        "--user",
        "ada",
        "--api-key",
        "hunter22",
        "--token=${input:tok}",
        "--x9Qm2vT7kk",
      ],
      { package: "mcp-remote", packageVersion: null },
    );
    expect(out).toEqual([
      "mcp-remote",
      "https://mcp.example.com/sse",
      "--header",
      `Authorization: {redacted:secret:${fingerprintSecret(`Bearer ${token}`)}}`,
      "--user",
      "{redacted:value}",
      "--api-key",
      `{redacted:secret:${fingerprintSecret("hunter22")}}`,
      "--token=${input:tok}",
      "{redacted:flag}",
    ]);
    expect(redactArgs(["--token", "xxx"], { package: null, packageVersion: null })).toEqual(["--token", "{redacted:placeholder}"]);
  });

  it("the fingerprint is the detector's span when the detector found a secret", () => {
    const pat = `ghp_${rnd(36, ALNUM, 9)}`;
    expect(redactArgs([`--auth=Bearer ${pat}`], { package: null, packageVersion: null, secretAt: () => pat })).toEqual([
      `--redacted=`.replace("--redacted=", "--auth=") + `{redacted:secret:${fingerprintSecret(pat)}}`,
    ]);
  });

  it("env and header values: references kept, everything else a placeholder", () => {
    expect(redactNamedValue("${env:GITHUB_TOKEN}", { key: "GITHUB_TOKEN" })).toBe("${env:GITHUB_TOKEN}");
    expect(redactNamedValue("{env:GITHUB_TOKEN}", { key: "GITHUB_TOKEN" })).toBe("{env:GITHUB_TOKEN}");
    expect(redactNamedValue("Bearer ${input:api_token}", { key: "Authorization" })).toBe("Bearer ${input:api_token}");
    expect(redactNamedValue("<YOUR_TOKEN>", { key: "GITHUB_TOKEN" })).toBe("{redacted:placeholder}");
    // A reference's default is a literal: templated, never kept as given.
    expect(redactNamedValue(`\${API_TOKEN:-${rnd(20, ALNUM, 13)}}`, { key: "API_TOKEN" })).toBe("${API_TOKEN:-{redacted}}");
    expect(redactNamedValue(`Bearer \${TOKEN:-${rnd(20, ALNUM, 14)}}`, { key: "Authorization" })).toBe("Bearer ${TOKEN:-{redacted}}");
    expect(urlTemplate(`\${API_BASE_URL:-https://api.example.com/${rnd(20, ALNUM, 15)}}/mcp?key=x`)).toBe(
      "${API_BASE_URL:-https://api.example.com/{opaque}}/mcp?key={redacted}",
    );
    expect(redactNamedValue("https://gitlab.com/api/v4", { key: "GITLAB_API_URL" })).toBe("{redacted:value}");
    expect(redactNamedValue("hunter2", { key: "DB_PASSWORD" })).toBe(`{redacted:secret:${fingerprintSecret("hunter2")}}`);
    expect(redactValue(rnd(16, ALNUM, 10))).toMatch(/^\{redacted:secret:hmac-sha256:[0-9a-f]{32}\}$/);
    expect(redactCommand("npx")).toBe("npx");
    expect(redactCommand("/Users/ada/.local/bin/uvx")).toBe("/Users/ada/.local/bin/uvx");
    expect(redactCommand(`/opt/${rnd(16, ALNUM, 11)}/server`)).toBe("/opt/{opaque}/server");
  });
});

describe("parseMcpConfig: no value placed in args, url, headers or env is kept", () => {
  it("random values of every shape, in every place, never reach the document or the warnings", async () => {
    const vals = unshapedValues(100);
    const servers: Record<string, unknown> = {};
    vals.forEach((v, i) => {
      servers[`stdio-${i}`] = {
        command: "npx",
        args: ["-y", "@acme/mcp@1.0.0", v, "--flag", v, `--opt=${v}`, `/srv/${v}/data`, `https://h.example.com/${v}?q=${v}`],
        env: { SOME_SETTING: v, API_TOKEN: v },
        cwd: `/home/ada/${v}`,
      };
      servers[`remote-${i}`] = { url: `https://mcp.example.com/${v}/mcp?key=${v}&${v}=1`, headers: { "X-Custom": v, Authorization: `Bearer ${v}` } };
      servers[`docker-${i}`] = { command: "docker", args: ["run", "-i", "--rm", "-e", `TOKEN=${v}`, "-e", `OTHER=${v}`, "mcp/server:1.0"] };
    });
    const r = await parseMcpConfig(JSON.stringify({ mcpServers: servers }), { source: "laptop" });
    expect(r.ok).toBe(true);
    const json = JSON.stringify(r);
    const leaked = vals.filter((v) => json.includes(v) || json.includes(encodeURIComponent(v)));
    expect(leaked).toEqual([]);
    // And the structure survives: package, flags, path and URL templates.
    expect(json).toContain('"@acme/mcp@1.0.0"');
    expect(json).toContain('"/srv/{opaque}/data"');
    expect(json).toContain("https://mcp.example.com/{opaque}/mcp?key={redacted}&{opaque}={redacted}");
  });
});
