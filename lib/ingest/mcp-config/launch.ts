/**
 * What a stdio server runs: the registry package behind `npx`, `uvx` or
 * `docker run`, and whether its version is pinned. An unpinned launch
 * (`npx -y @modelcontextprotocol/server-github`) runs whatever the registry
 * serves today, so a changed or hijacked release reaches users unreviewed.
 */
export interface LaunchInfo {
  launcher: "npx" | "uvx" | "docker" | null;
  package: string | null;
  /** The version, tag or digest named in the launch; null when none is. */
  packageVersion: string | null;
  /** Exact version or digest; null when no registry package is launched (a local binary or script). */
  pinned: boolean | null;
}

const NONE: LaunchInfo = { launcher: null, package: null, packageVersion: null, pinned: null };

export function analyzeLaunch(command: string | null, args: readonly string[]): LaunchInfo {
  if (!command) return NONE;
  let cmd = baseName(command);
  let rest = [...args];
  // Windows wrappers: `cmd /c npx ...`.
  if (cmd === "cmd" && /^\/[ck]$/i.test(rest[0] ?? "") && rest[1]) {
    cmd = baseName(rest[1]);
    rest = rest.slice(2);
  }
  if ((cmd === "npm" && (rest[0] === "exec" || rest[0] === "x")) || ((cmd === "pnpm" || cmd === "yarn") && rest[0] === "dlx")) {
    cmd = "npx";
    rest = rest.slice(1);
  }
  if (cmd === "uv" && rest[0] === "tool" && rest[1] === "run") {
    cmd = "uvx";
    rest = rest.slice(2);
  }
  if (cmd === "pipx" && rest[0] === "run") {
    cmd = "uvx";
    rest = rest.slice(1);
  }
  if (cmd === "npx" || cmd === "bunx" || cmd === "pnpx") return npx(rest);
  if (cmd === "uvx") return uvx(rest);
  if (cmd === "docker" || cmd === "podman") return docker(rest);
  return NONE;
}

function baseName(command: string): string {
  return (command.split(/[/\\]/).pop() ?? command).replace(/\.(?:cmd|exe|bat|ps1)$/i, "").toLowerCase();
}

/** The first positional argument after options; options in `withValue` consume the next argument. */
function firstPositional(args: string[], withValue: ReadonlySet<string>): { value: string | null; options: Map<string, string> } {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") return { value: args[i + 1] ?? null, options };
    if (!a.startsWith("-") || a === "-") return { value: a, options };
    const eq = a.indexOf("=");
    if (eq !== -1) options.set(a.slice(0, eq), a.slice(eq + 1));
    else if (withValue.has(a)) options.set(a, args[++i] ?? "");
  }
  return { value: null, options };
}

const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;
const NPX_VALUE_OPTIONS = new Set(["-p", "--package", "-c", "--call", "--registry", "--cache", "--userconfig", "-w", "--workspace"]);

function npx(args: string[]): LaunchInfo {
  const { value, options } = firstPositional(args, NPX_VALUE_OPTIONS);
  const spec = options.get("--package") ?? options.get("-p") ?? value;
  if (!spec) return NONE;
  if (/^(?:\.{0,2}\/|[A-Za-z]:\\|file:)/.test(spec)) return NONE; // a local path, not a registry package
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  const name = at === -1 ? spec : spec.slice(0, at);
  const version = at === -1 ? null : spec.slice(at + 1) || null;
  return { launcher: "npx", package: name, packageVersion: version, pinned: version !== null && EXACT_SEMVER.test(version) };
}

const UVX_VALUE_OPTIONS = new Set([
  "--from",
  "--with",
  "--with-requirements",
  "--with-editable",
  "--python",
  "-p",
  "--index-url",
  "--extra-index-url",
  "--index",
  "-i",
]);

function uvx(args: string[]): LaunchInfo {
  const { value, options } = firstPositional(args, UVX_VALUE_OPTIONS);
  const spec = options.get("--from") ?? value;
  if (!spec) return NONE;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:(==|@)\s*([^\s,;]+)|([<>=!~]=?.+))?$/.exec(spec);
  if (!m) return { launcher: "uvx", package: spec, packageVersion: null, pinned: false };
  const version = m[3] ?? m[4]?.trim() ?? null;
  const exact = m[3] !== undefined && m[3] !== "latest" && !m[3].includes("*");
  return { launcher: "uvx", package: m[1]!, packageVersion: version, pinned: exact };
}

const DOCKER_VALUE_OPTIONS = new Set([
  "-e",
  "--env",
  "--env-file",
  "-v",
  "--volume",
  "--mount",
  "--name",
  "-p",
  "--publish",
  "--network",
  "--net",
  "--entrypoint",
  "-w",
  "--workdir",
  "-u",
  "--user",
  "--platform",
  "-l",
  "--label",
  "--add-host",
  "--cpus",
  "-m",
  "--memory",
  "--pull",
  "--restart",
  "-h",
  "--hostname",
  "--cap-add",
  "--cap-drop",
  "--device",
  "--dns",
  "--gpus",
  "--ipc",
  "--log-driver",
  "--log-opt",
  "--security-opt",
  "--tmpfs",
  "--ulimit",
  "--runtime",
  "--shm-size",
  "--stop-signal",
  "--label-file",
  "--cidfile",
]);

function docker(args: string[]): LaunchInfo {
  const rest = args[0] === "container" ? args.slice(1) : args;
  if (rest[0] !== "run") return NONE;
  const image = firstPositional(rest.slice(1), DOCKER_VALUE_OPTIONS).value;
  if (!image) return NONE;
  const digestAt = image.indexOf("@");
  const beforeDigest = digestAt === -1 ? image : image.slice(0, digestAt);
  const digest = digestAt === -1 ? null : image.slice(digestAt + 1);
  const lastSlash = beforeDigest.lastIndexOf("/");
  const colon = beforeDigest.indexOf(":", lastSlash + 1); // a colon before the last slash is a registry port
  const name = colon === -1 ? beforeDigest : beforeDigest.slice(0, colon);
  const tag = colon === -1 ? null : beforeDigest.slice(colon + 1);
  return { launcher: "docker", package: name, packageVersion: digest ?? tag, pinned: digest !== null || (tag !== null && tag !== "latest") };
}
