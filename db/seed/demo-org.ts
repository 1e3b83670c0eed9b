/**
 * The demo organisation: Northwind Analytics (northwind.example), a ~50-person
 * analytics company whose identity graph spans Okta, GitHub, AWS, a handful of
 * SaaS apps, developers' MCP client configs, an AI agent register and live MCP
 * tool discovery. It is built to exercise every finding and review flow of
 * PRODUCT.md: a departed data engineer who still owns an autonomous agent and a
 * hard-coded database password, an expired PAT in a VS Code config, a password
 * shared by a service account and an agent, orphaned nodes, a plain-HTTP MCP server.
 *
 * Fully deterministic: dates are relative to DEMO_NOW, ids come from a seeded PRNG,
 * fingerprints are hashes of names. No credential value appears anywhere.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { toolRisk } from "@/lib/graph/tool-risk";
import { analyzeLaunch } from "@/lib/ingest/mcp-config/launch";
import { riskAttributes, toolDefinitionHash } from "@/lib/ingest/tool-attributes";
import { edgeKindMismatch, type EdgeKind, type NodeKind, type OwnerRole } from "@/lib/graph/model";
import type { DemoUser, NodeRef, SeedEdge, SeedGraph, SeedNode, SeedSource } from "./graph-doc";

export const DEMO_NOW = new Date("2026-11-01T09:00:00Z");
export const DEMO_DOMAIN = "northwind.example";

const DAY_MS = 86_400_000;
/** ISO timestamp `n` days before DEMO_NOW (negative n: after it). */
const daysAgo = (n: number): string => new Date(DEMO_NOW.getTime() - n * DAY_MS).toISOString();
const dateOnly = (iso: string): string => iso.slice(0, 10);

// ---------------------------------------------------------------------------
// Deterministic ids and fingerprints
// ---------------------------------------------------------------------------

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG, so the demo ids never change between runs. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** An Okta-style 20-character id (`00u…` users, `00g…` groups, `0oa…` apps), seeded by a key. */
function oktaId(prefix: string, key: string): string {
  const rnd = mulberry32(fnv1a(`${prefix}:${key}`));
  let id = prefix;
  while (id.length < 20) id += ALNUM[Math.floor(rnd() * ALNUM.length)];
  return id;
}

/** A fake fingerprint (`sha256:` + 64 hex) derived from the credential's name, never from a secret. */
const fingerprint = (source: string, externalId: string): string =>
  `sha256:${createHash("sha256").update(`northwind-demo/${source}/${externalId}`).digest("hex")}`;

function compact(attrs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined));
}

// ---------------------------------------------------------------------------
// Captured MCP tools/list answers (real, see mcp-tools/PROVENANCE.md)
// ---------------------------------------------------------------------------

interface CapturedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}
interface CapturedToolsList {
  serverInfo: { name: string; title?: string; version: string };
  tools: CapturedTool[];
}

const MCP_TOOLS_DIR = path.join(process.cwd(), "db/seed/mcp-tools");
const loadToolsList = (file: string): CapturedToolsList => JSON.parse(readFileSync(path.join(MCP_TOOLS_DIR, file), "utf8")) as CapturedToolsList;

const TOOL_LISTS = {
  everything: loadToolsList("everything.tools-list.json"),
  filesystem: loadToolsList("filesystem.tools-list.json"),
  github: loadToolsList("github.tools-list.json"),
  memory: loadToolsList("memory.tools-list.json"),
} as const;
type ToolListName = keyof typeof TOOL_LISTS;

/** npm package → version, from VERSIONS.txt ("<package> <version> <licence…>"). */
const PACKAGE_VERSIONS = new Map(
  readFileSync(path.join(MCP_TOOLS_DIR, "VERSIONS.txt"), "utf8")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((parts): parts is [string, string, ...string[]] => parts.length >= 2)
    .map(([pkg, version]) => [pkg, version] as const),
);

// ---------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------

const SOURCES: SeedSource[] = [
  { name: "okta", type: "directory", description: "Okta (northwind.okta.com): people, groups, managers, admin roles and API service apps" },
  { name: "github", type: "cloud", description: "GitHub organisation northwind: repositories, org and repo roles, apps, runners, machine users" },
  { name: "aws", type: "cloud", description: "AWS production account 418295730164: IAM users and roles, permission sets, RDS, S3, EKS, EFS" },
  { name: "saas", type: "cloud", description: "SaaS admin APIs: Snowflake, Salesforce, Slack, Confluence and the Anthropic console" },
  { name: "mcp-configs", type: "mcp_config", description: "MCP client configs collected from developer laptops (Claude Desktop, VS Code, Cursor)" },
  { name: "agent-registry", type: "manual", description: "AI agent register kept by the AI Platform team, with the MCP tool permissions granted to agents" },
  { name: "mcp-discovery", type: "mcp_discovery", description: "Live tools/list discovery against the MCP servers found in client configs" },
];

// ---------------------------------------------------------------------------
// People and groups (okta). A human's key is their lower-case first name, which
// is also their e-mail local part.
// ---------------------------------------------------------------------------

type Department = "Executive" | "Engineering" | "Data" | "Finance" | "Internal Audit" | "Sales" | "Security" | "People" | "IT";
type HumanRow = [first: string, last: string, department: Department, title: string, manager: string | null, startDate: string, team: string];

const HUMANS: HumanRow[] = [
  ["Helena", "Marchetti", "Executive", "Chief Executive Officer", null, "2017-02-06", "leadership"],
  ["Rajesh", "Iyer", "Engineering", "Chief Technology Officer", "helena", "2017-04-03", "leadership"],
  ["Olumide", "Adeyemi", "Finance", "Chief Financial Officer", "helena", "2019-09-16", "leadership"],
  ["Sarah", "Whitfield", "Sales", "Chief Revenue Officer", "helena", "2020-01-13", "leadership"],
  ["Tomasz", "Kowalczyk", "Security", "Chief Information Security Officer", "helena", "2021-03-01", "leadership"],
  ["Aisha", "Rahman", "People", "VP People", "helena", "2019-06-10", "leadership"],
  ["Kenji", "Watanabe", "Data", "VP Data", "rajesh", "2018-11-05", "leadership"],
  ["Daniel", "Novak", "Engineering", "VP Engineering", "rajesh", "2018-02-19", "engineering"],
  ["Priya", "Natarajan", "Engineering", "Engineering Manager, Platform", "daniel", "2019-05-06", "platform"],
  ["Lucas", "Ferreira", "Engineering", "Staff Software Engineer", "priya", "2019-08-12", "platform"],
  ["Mei", "Chen", "Engineering", "Senior Site Reliability Engineer", "priya", "2021-01-18", "platform"],
  ["Jonas", "Lindqvist", "Engineering", "Software Engineer", "priya", "2023-03-06", "platform"],
  ["Fatima", "El Amrani", "Engineering", "Senior Software Engineer", "priya", "2020-10-05", "platform"],
  ["Ahmed", "Hassan", "Engineering", "DevOps Engineer", "priya", "2022-02-14", "platform"],
  ["Marcus", "Johnson", "Engineering", "Engineering Manager, Product", "daniel", "2020-04-20", "product-eng"],
  ["Sofia", "Álvarez", "Engineering", "Senior Frontend Engineer", "marcus", "2021-06-07", "product-eng"],
  ["Kwame", "Mensah", "Engineering", "Software Engineer", "marcus", "2022-09-12", "product-eng"],
  ["Yuki", "Tanaka", "Engineering", "Software Engineer", "marcus", "2021-11-01", "product-eng"],
  ["Elena", "Petrova", "Engineering", "Engineering Manager, AI Platform", "daniel", "2020-07-13", "ai-platform"],
  ["Diego", "Morales", "Engineering", "Machine Learning Engineer", "elena", "2022-05-23", "ai-platform"],
  ["Hannah", "Schmidt", "Engineering", "Senior Machine Learning Engineer", "elena", "2021-09-27", "ai-platform"],
  ["Arjun", "Mehta", "Engineering", "AI Engineer", "elena", "2024-01-08", "ai-platform"],
  ["Grace", "Kim", "Data", "Data Engineering Manager", "kenji", "2020-03-02", "data-platform"],
  ["Viktor", "Sokolov", "Data", "Senior Data Engineer", "grace", "2019-10-14", "data-platform"],
  ["Amara", "Nwosu", "Data", "Data Engineer", "grace", "2023-07-17", "data-platform"],
  ["Mateo", "Rossi", "Data", "Analytics Engineer", "grace", "2022-11-07", "data-platform"],
  ["Leila", "Haddad", "Data", "Senior Data Scientist", "kenji", "2021-04-12", "data-platform"],
  ["Ravi", "Shankar", "Data", "Data Analyst", "kenji", "2024-03-04", "data-platform"],
  ["Claire", "Dubois", "Finance", "Finance Operations Lead", "olumide", "2020-08-24", "finance-ops"],
  ["Lan", "Nguyen", "Finance", "Senior Accountant", "claire", "2021-02-08", "finance-ops"],
  ["Patrick", "O'Brien", "Finance", "Financial Analyst", "claire", "2023-01-09", "finance-ops"],
  ["Samuel", "Osei", "Finance", "Accounts Payable Specialist", "claire", "2022-06-20", "finance-ops"],
  ["Ingrid", "Johansson", "Finance", "Financial Controller", "olumide", "2019-12-02", "finance-ops"],
  ["Beatriz", "Santos", "Internal Audit", "Internal Audit Manager", "olumide", "2021-05-17", "internal-audit"],
  ["Noah", "Goldberg", "Internal Audit", "IT Auditor", "beatriz", "2023-09-11", "internal-audit"],
  ["James", "Carter", "Sales", "Sales Director, EMEA", "sarah", "2020-02-03", "sales"],
  ["Zanele", "Dlamini", "Sales", "Account Executive", "james", "2022-03-14", "sales"],
  ["Carlos", "Mendoza", "Sales", "Account Executive", "james", "2021-08-30", "sales"],
  ["Emily", "Walsh", "Sales", "Sales Development Representative", "james", "2024-06-03", "sales"],
  ["Hiroshi", "Sato", "Sales", "Solutions Engineer", "sarah", "2021-10-18", "sales"],
  ["Nadia", "Popescu", "Sales", "Revenue Operations Manager", "sarah", "2020-11-09", "sales"],
  ["Omar", "Farouk", "Security", "Security Engineering Manager", "tomasz", "2021-07-05", "secops"],
  ["Chloe", "Bernard", "Security", "IAM Analyst", "omar", "2022-10-03", "secops"],
  ["Dmitri", "Volkov", "Security", "Security Engineer", "omar", "2022-01-24", "secops"],
  ["Ana", "Lima", "Security", "Security Operations Analyst", "omar", "2023-04-17", "secops"],
  ["Rebecca", "Thompson", "People", "HR Business Partner", "aisha", "2020-09-14", "people"],
  ["Tariq", "Aziz", "People", "People Operations Specialist", "aisha", "2022-08-08", "people"],
  ["Isabella", "Conti", "People", "Talent Acquisition Partner", "aisha", "2023-02-27", "people"],
  ["Samir", "Khoury", "IT", "Head of IT", "rajesh", "2018-06-25", "it-admins"],
  ["Lena", "Müller", "IT", "Systems Administrator", "samir", "2021-03-22", "it-admins"],
  ["Joseph", "Mwangi", "IT", "IT Support Engineer", "samir", "2023-05-08", "it-admins"],
  ["Mariana", "Oliveira", "IT", "Identity & Access Administrator", "samir", "2022-04-11", "it-admins"],
];
const humanKey = (first: string): string => first.toLowerCase();

/** The departed data engineer who still owns things, and the one person on leave. */
const TERMINATED = { key: "viktor", daysAgo: 47 };
const ON_LEAVE = { key: "yuki", daysAgo: 63, reason: "parental leave" };
/**
 * Okta's `lastLogin` (days before DEMO_NOW): everyone signs in most days, the departed and the absent stopped when they
 * left, and one analyst's account has lain dormant since the summer (the recommendations' "account last active").
 */
const LAST_LOGIN: Record<string, number> = { viktor: 48, yuki: 64, ravi: 128 };
const lastLoginDays = (key: string, i: number): number => LAST_LOGIN[key] ?? i % 4;

type GroupRow = [key: string, name: string, description: string];
const GROUPS: GroupRow[] = [
  ["all-staff", "All Staff", "Every current employee (Okta group rule on active status)"],
  ["leadership", "Leadership", "Executive team and VPs"],
  ["engineering", "Engineering", "All engineering teams (nests Platform, Product Engineering and AI Platform)"],
  ["platform", "Platform Team", "Infrastructure, CI/CD, SRE and developer tooling"],
  ["product-eng", "Product Engineering", "Customer-facing web app and API"],
  ["ai-platform", "AI Platform", "Builds and runs Northwind's AI agents and MCP integrations"],
  ["data-platform", "Data Platform", "Data engineering, analytics engineering and data science"],
  ["finance-ops", "Finance Ops", "Accounting, month-end close, payables and financial reporting"],
  ["internal-audit", "Internal Audit", "Internal audit function, reporting to the audit committee"],
  ["sales", "Sales", "Account executives, SDRs, solutions engineering and RevOps"],
  ["secops", "Security Operations", "Security engineering, IAM and the SOC"],
  ["people", "People Team", "HR business partners, people operations and recruiting"],
  ["it-admins", "IT Admins", "IT team with admin rights in Okta, Slack and the device fleet"],
  ["github-admins", "GitHub Admins", "Owners of the GitHub organisation northwind"],
  ["prod-db-readers", "Prod DB Readers", "May connect read-only to the production orders database"],
];

const EXTRA_MEMBERSHIPS: [member: string, group: string][] = [
  ["rajesh", "engineering"],
  ["kenji", "data-platform"],
  ["priya", "github-admins"],
  ["lucas", "github-admins"],
  ["ahmed", "github-admins"],
  ["samir", "github-admins"],
  ["lucas", "prod-db-readers"],
  ["mei", "prod-db-readers"],
  ["ahmed", "prod-db-readers"],
  // nested groups
  ["g:platform", "engineering"],
  ["g:product-eng", "engineering"],
  ["g:ai-platform", "engineering"],
  ["g:data-platform", "prod-db-readers"],
];

// ---------------------------------------------------------------------------
// Non-human identities
// ---------------------------------------------------------------------------

const AWS_ACCOUNT = "418295730164";
type ServiceAccountRow = [key: string, source: string, externalId: string, name: string, platform: string, description: string, status: "active" | "inactive"];
const SERVICE_ACCOUNTS: ServiceAccountRow[] = [
  [
    "ci-deploy-prod",
    "aws",
    `arn:aws:iam::${AWS_ACCOUNT}:role/ci-deploy-prod`,
    "ci-deploy-prod",
    "AWS IAM role",
    "Deploy role assumed by GitHub Actions (OIDC) to roll out services to production",
    "active",
  ],
  [
    "etl-nightly",
    "aws",
    `arn:aws:iam::${AWS_ACCOUNT}:user/etl-nightly`,
    "etl-nightly",
    "AWS IAM user",
    "Nightly Airflow ETL: extracts orders from Postgres into the S3 data lake",
    "active",
  ],
  [
    "backup-runner",
    "aws",
    `arn:aws:iam::${AWS_ACCOUNT}:role/backup-runner`,
    "backup-runner",
    "AWS IAM role",
    "Nightly pg_dump of the orders database and S3 replication checks",
    "active",
  ],
  [
    "finance-export",
    "aws",
    `arn:aws:iam::${AWS_ACCOUNT}:user/finance-reports-export`,
    "finance-reports-export",
    "AWS IAM user",
    "Monthly ledger export from NetSuite to the finance-reports bucket",
    "active",
  ],
  [
    "agents-eks",
    "aws",
    `arn:aws:iam::${AWS_ACCOUNT}:role/ai-agents-eks-irsa`,
    "ai-agents-eks-irsa",
    "AWS IAM role (EKS IRSA)",
    "Pod identity of the AI agents running on the ai-agents EKS cluster",
    "active",
  ],
  [
    "legacy-reporting",
    "aws",
    `arn:aws:iam::${AWS_ACCOUNT}:user/legacy-reporting`,
    "legacy-reporting",
    "AWS IAM user",
    "Tableau extract user from the 2022 BI stack; no longer scheduled",
    "inactive",
  ],
  [
    "deploy-bot",
    "github",
    "app/northwind-deploy-bot",
    "northwind-deploy-bot",
    "GitHub App",
    "Cuts release tags and opens deployment pull requests across northwind repos",
    "active",
  ],
  [
    "gha-runner",
    "github",
    "runner/gha-runner-platform",
    "gha-runner-platform",
    "GitHub Actions self-hosted runner",
    "Self-hosted runner pool (EC2 autoscaling group) for northwind/platform builds",
    "active",
  ],
  [
    "northwind-ci",
    "github",
    "user/northwind-ci",
    "northwind-ci",
    "GitHub machine user",
    "Machine user CI uses to comment on and approve pull requests",
    "active",
  ],
  ["standup-bot", "saas", "slack/app/A05NWSTANDUP", "standup-bot", "Slack bot", "Posts daily stand-up prompts and collects answers in team channels", "active"],
  [
    "snowflake-dbt",
    "saas",
    "snowflake/user/SVC_DBT",
    "SVC_DBT",
    "Snowflake service user",
    "dbt Cloud production jobs that build the ANALYTICS models",
    "active",
  ],
  [
    "salesforce-sync",
    "saas",
    `salesforce/user/integration@${DEMO_DOMAIN}`,
    "Salesforce integration user",
    "Salesforce integration user",
    "Fivetran connector syncing Salesforce objects into Snowflake",
    "active",
  ],
  [
    "okta-scim",
    "okta",
    oktaId("0oa", "okta-scim"),
    "Okta SCIM provisioning client",
    "Okta API service app",
    "Pushes users and groups to Attest and Slack over SCIM 2.0",
    "active",
  ],
];

type AgentRow = [
  key: string,
  name: string,
  purpose: string,
  autonomy: "assistive" | "supervised" | "autonomous",
  runtime: string,
  model: string,
  status: "active" | "inactive",
];
const AGENTS: AgentRow[] = [
  [
    "lucas-claude",
    "Lucas's Claude Desktop assistant",
    "Coding assistant for platform work: reads and edits repos, opens pull requests, keeps project notes",
    "assistive",
    "Claude Desktop",
    "claude-sonnet-4-5",
    "active",
  ],
  [
    "mei-cursor",
    "Mei's Cursor agent",
    "SRE toil in northwind/platform: runbooks, Terraform changes, incident follow-ups",
    "assistive",
    "Cursor",
    "gpt-4.1",
    "active",
  ],
  [
    "pipeline-doctor",
    "Pipeline Doctor",
    "Watches nightly ETL runs, diagnoses failures, re-runs jobs and patches dbt models",
    "autonomous",
    "LangGraph on EKS",
    "claude-sonnet-4-5",
    "active",
  ],
  [
    "finance-copilot",
    "Finance Close Copilot",
    "Reconciles month-end close workbooks and drafts variance commentary",
    "supervised",
    "Claude Desktop",
    "claude-opus-4-1",
    "active",
  ],
  [
    "pr-review",
    "PR Review Assistant",
    "Reviews pull requests in platform and web-app; approves and merges low-risk dependency bumps",
    "supervised",
    "GitHub Actions (LangGraph)",
    "claude-sonnet-4-5",
    "active",
  ],
  [
    "incident-responder",
    "Incident Responder",
    "Triages PagerDuty alerts, gathers context from GitHub and runbooks, opens incident issues",
    "autonomous",
    "LangGraph on EKS",
    "claude-sonnet-4-5",
    "active",
  ],
  [
    "account-research",
    "Account Research Agent",
    "Prepares account briefs before sales calls from CRM notes and public sources",
    "supervised",
    "Amazon Bedrock AgentCore",
    "claude-haiku-4-5",
    "active",
  ],
  [
    "onboarding-buddy",
    "Onboarding Buddy",
    "Answers new joiners' questions in Slack from the onboarding knowledge base",
    "assistive",
    "Slack app (AWS Lambda)",
    "gpt-4o-mini",
    "inactive",
  ],
  [
    "eval-harness",
    "MCP eval harness",
    "Experimental agent that exercises MCP servers for tool-calling evaluations",
    "autonomous",
    "VS Code (Copilot agent mode)",
    "gpt-4.1",
    "active",
  ],
];

interface McpServerRow {
  key: string;
  name: string;
  tools: ToolListName | null;
  transport: "stdio" | "http";
  package: string;
  args?: string[];
  url?: string;
  host: string;
  extra?: Record<string, unknown>;
}
const npx = (pkg: string, ...rest: string[]): string[] => ["-y", pkg, ...rest];
const MCP_SERVERS: McpServerRow[] = [
  {
    key: "github-mcp",
    name: "GitHub MCP server",
    tools: "github",
    transport: "stdio",
    package: "@modelcontextprotocol/server-github",
    args: npx("@modelcontextprotocol/server-github"),
    host: "Developer laptops: Lucas Ferreira (Claude Desktop), Mei Chen (VS Code)",
    extra: { envVars: ["GITHUB_PERSONAL_ACCESS_TOKEN"], upstreamStatus: "archived upstream; no longer maintained" },
  },
  {
    key: "filesystem-eng",
    name: "Filesystem (engineering share)",
    tools: "filesystem",
    transport: "stdio",
    package: "@modelcontextprotocol/server-filesystem",
    args: npx(`@modelcontextprotocol/server-filesystem@${PACKAGE_VERSIONS.get("@modelcontextprotocol/server-filesystem")}`, "/mnt/eng-share"),
    host: "Engineering laptops with the EFS eng-share mounted (Claude Desktop, Cursor)",
    extra: { allowedRoots: ["/mnt/eng-share"] },
  },
  {
    key: "filesystem-finance",
    name: "Filesystem (finance reports)",
    tools: "filesystem",
    transport: "stdio",
    package: "@modelcontextprotocol/server-filesystem",
    args: npx("@modelcontextprotocol/server-filesystem", "/Volumes/finance-reports", "/Users/claire/Documents/Month-End Close"),
    host: "Claire Dubois's MacBook (Claude Desktop); /Volumes/finance-reports is the finance-reports S3 bucket mounted with Mountpoint for S3",
    extra: { allowedRoots: ["/Volumes/finance-reports", "/Users/claire/Documents/Month-End Close"] },
  },
  {
    key: "memory-mcp",
    name: "Memory (agent knowledge graph)",
    tools: "memory",
    transport: "stdio",
    package: "@modelcontextprotocol/server-memory",
    args: npx("@modelcontextprotocol/server-memory"),
    host: "Sidecar in the ai-agents EKS cluster; also on Lucas Ferreira's and Hannah Schmidt's laptops",
    extra: { envVars: ["MEMORY_FILE_PATH"], memoryFile: "/data/agent-memory/memory.jsonl" },
  },
  {
    key: "everything-sandbox",
    name: "Everything reference server (sandbox)",
    tools: "everything",
    transport: "http",
    package: "@modelcontextprotocol/server-everything",
    url: "http://mcp-sandbox.internal:3001/mcp",
    host: "mcp-sandbox.internal (EC2 t3.small, dev VPC)",
    extra: { tls: false, authentication: "none" },
  },
  {
    key: "postgres-orders",
    name: "Postgres (orders, read-only)",
    tools: null,
    transport: "stdio",
    package: "@modelcontextprotocol/server-postgres",
    args: npx("@modelcontextprotocol/server-postgres", "postgresql://orders-prod.{opaque}.eu-west-1.rds.amazonaws.com:5432/orders"),
    host: "Viktor Sokolov's laptop (Cursor); also launched by Pipeline Doctor on EKS",
    extra: { discovery: "not discovered: the server was unreachable from the discovery runner", upstreamStatus: "archived upstream; no longer maintained" },
  },
];

type EntitlementRow = [
  key: string,
  source: string,
  externalId: string,
  name: string,
  system: string,
  description: string,
  privileged: boolean,
  grants: string[],
];
const ENTITLEMENTS: EntitlementRow[] = [
  ["gh-org-admin", "github", "org/northwind/role/owner", "GitHub org admin", "GitHub", "Owner of the GitHub organisation northwind", true, ["res:gh-org"]],
  [
    "gh-platform-write",
    "github",
    "repo/northwind/platform/write",
    "repo:write on northwind/platform",
    "GitHub",
    "Push and merge in northwind/platform",
    false,
    ["res:repo-platform"],
  ],
  [
    "gh-pipelines-admin",
    "github",
    "repo/northwind/data-pipelines/admin",
    "repo:admin on northwind/data-pipelines",
    "GitHub",
    "Admin of northwind/data-pipelines: settings, secrets, branch protection",
    true,
    ["res:repo-pipelines"],
  ],
  [
    "gh-webapp-write",
    "github",
    "repo/northwind/web-app/write",
    "repo:write on northwind/web-app",
    "GitHub",
    "Push and merge in northwind/web-app",
    false,
    ["res:repo-webapp"],
  ],
  [
    "aws-prod-ro",
    "aws",
    "permission-set/ProdReadOnly",
    "AWS ProdReadOnly",
    "AWS IAM Identity Center",
    "Read-only access to the production account",
    false,
    ["res:orders-db", "res:data-lake", "res:eks-agents"],
  ],
  [
    "aws-admin",
    "aws",
    "permission-set/AdministratorAccess-prod",
    "AWS AdministratorAccess (prod)",
    "AWS IAM Identity Center",
    "Full administrator in the production account",
    true,
    ["res:orders-db", "res:finance-bucket", "res:data-lake", "res:eks-agents", "res:eng-share"],
  ],
  [
    "s3-finance-read",
    "aws",
    "policy/finance-reports-read",
    "s3:GetObject on finance-reports",
    "AWS IAM",
    "Read objects in the finance-reports bucket",
    false,
    ["res:finance-bucket"],
  ],
  [
    "rds-orders-connect",
    "aws",
    "policy/rds-orders-reporting-connect",
    "rds-db:connect orders (reporting)",
    "AWS IAM",
    "IAM database authentication as the read-only reporting user",
    false,
    ["res:orders-db"],
  ],
  [
    "sf-analyst",
    "saas",
    "snowflake/role/ANALYST",
    "Snowflake ANALYST role",
    "Snowflake",
    "Query the ANALYTICS warehouse and its marts",
    false,
    ["res:snowflake"],
  ],
  [
    "sf-sysadmin",
    "saas",
    "snowflake/role/SYSADMIN",
    "Snowflake SYSADMIN role",
    "Snowflake",
    "Create and drop warehouses, databases and schemas",
    true,
    ["res:snowflake"],
  ],
  [
    "sfdc-user",
    "saas",
    "salesforce/profile/sales-user",
    "Salesforce Sales User",
    "Salesforce",
    "Standard sales profile: accounts, opportunities, contacts",
    false,
    ["res:salesforce"],
  ],
  [
    "sfdc-admin",
    "saas",
    "salesforce/profile/system-administrator",
    "Salesforce System Administrator",
    "Salesforce",
    "Modify all data and org configuration",
    true,
    ["res:salesforce"],
  ],
  ["slack-admin", "saas", "slack/role/workspace-admin", "Slack Workspace Admin", "Slack", "Manage members, apps and workspace settings", true, ["res:slack"]],
  [
    "slack-chat-write",
    "saas",
    "slack/scope/chat:write",
    "OAuth scope chat:write (Slack)",
    "Slack",
    "Post messages as the app in channels it is in",
    false,
    ["res:slack"],
  ],
  [
    "confluence-user",
    "saas",
    "confluence/group/confluence-users",
    "Confluence User",
    "Atlassian",
    "Read and edit Confluence spaces open to staff",
    false,
    ["res:confluence"],
  ],
  [
    "okta-super-admin",
    "okta",
    "role/SUPER_ADMIN",
    "Okta Super Administrator",
    "Okta",
    "Full control of the Okta org, including admin roles and policies",
    true,
    ["res:okta-org"],
  ],
  ["mcp-github-use", "agent-registry", "mcp:github-mcp:use", "mcp:github-mcp:use", "MCP", "May call the GitHub MCP server's tools", false, ["mcp:github-mcp"]],
  [
    "mcp-github-merge",
    "agent-registry",
    "mcp:github-mcp:merge",
    "mcp:github-mcp:merge",
    "MCP",
    "May merge pull requests through the GitHub MCP server",
    true,
    ["tool:github-mcp/merge_pull_request"],
  ],
  [
    "mcp-fseng-use",
    "agent-registry",
    "mcp:filesystem-eng:use",
    "mcp:filesystem-eng:use",
    "MCP",
    "May use the engineering filesystem server",
    false,
    ["mcp:filesystem-eng"],
  ],
  [
    "mcp-fsfin-read",
    "agent-registry",
    "mcp:filesystem-finance:read",
    "mcp:filesystem-finance:read",
    "MCP",
    "Read-only tools of the finance filesystem server",
    false,
    ["readonly-tools:filesystem-finance"],
  ],
  [
    "mcp-fsfin-write",
    "agent-registry",
    "mcp:filesystem-finance:write",
    "mcp:filesystem-finance:write",
    "MCP",
    "Write, edit and move files on the finance share",
    true,
    ["writing-tools:filesystem-finance"],
  ],
  [
    "mcp-memory-use",
    "agent-registry",
    "mcp:memory-mcp:use",
    "mcp:memory-mcp:use",
    "MCP",
    "May read and write the agent knowledge graph",
    false,
    ["mcp:memory-mcp"],
  ],
];

type Env = "production" | "development" | "sandbox";
type Classification = "public" | "internal" | "confidential" | "restricted";
type ResourceRow = [key: string, source: string, externalId: string, name: string, system: string, environment: Env, dataClassification: Classification];
const RESOURCES: ResourceRow[] = [
  ["gh-org", "github", "org/northwind", "GitHub org northwind", "GitHub", "production", "confidential"],
  ["repo-platform", "github", "repo/northwind/platform", "repo northwind/platform", "GitHub", "production", "confidential"],
  ["repo-pipelines", "github", "repo/northwind/data-pipelines", "repo northwind/data-pipelines", "GitHub", "production", "confidential"],
  ["repo-webapp", "github", "repo/northwind/web-app", "repo northwind/web-app", "GitHub", "production", "internal"],
  [
    "orders-db",
    "aws",
    `arn:aws:rds:eu-west-1:${AWS_ACCOUNT}:cluster:orders-prod`,
    "Production Postgres (orders)",
    "AWS RDS (PostgreSQL)",
    "production",
    "restricted",
  ],
  ["finance-bucket", "aws", "arn:aws:s3:::northwind-finance-reports", "S3 bucket finance-reports", "AWS S3", "production", "restricted"],
  ["data-lake", "aws", "arn:aws:s3:::northwind-data-lake", "S3 bucket northwind-data-lake", "AWS S3", "production", "confidential"],
  ["eks-agents", "aws", `arn:aws:eks:eu-west-1:${AWS_ACCOUNT}:cluster/ai-agents`, "EKS cluster ai-agents", "AWS EKS", "production", "internal"],
  [
    "eng-share",
    "aws",
    `arn:aws:elasticfilesystem:eu-west-1:${AWS_ACCOUNT}:file-system/fs-0c41e7a2b9d35f681`,
    "Engineering file share (EFS eng-share)",
    "AWS EFS",
    "development",
    "internal",
  ],
  ["sandbox-host", "aws", `arn:aws:ec2:eu-west-1:${AWS_ACCOUNT}:instance/i-0b7c3a91d2e4f5a60`, "mcp-sandbox.internal (EC2)", "AWS EC2", "sandbox", "internal"],
  ["snowflake", "saas", "snowflake/warehouse/ANALYTICS", "Snowflake warehouse ANALYTICS", "Snowflake", "production", "confidential"],
  ["salesforce", "saas", "salesforce/org/northwind", "Salesforce CRM", "Salesforce", "production", "confidential"],
  ["slack", "saas", "slack/workspace/northwind", "Slack workspace northwind", "Slack", "production", "internal"],
  ["confluence", "saas", "atlassian/confluence/northwind", "Confluence", "Atlassian", "production", "internal"],
  ["anthropic", "saas", "anthropic/workspace/northwind-agents", "Anthropic API workspace northwind-agents", "Anthropic", "production", "internal"],
  ["okta-org", "okta", "org/northwind.okta.com", "Okta org northwind.okta.com", "Okta", "production", "restricted"],
  [
    "memory-store",
    "mcp-configs",
    "file:/data/agent-memory/memory.jsonl",
    "Agent knowledge graph store (memory.jsonl)",
    "MCP memory server",
    "production",
    "confidential",
  ],
];

/** Which resource each server's tools act on. */
const TOOLS_ACT_ON: Record<string, string> = {
  "github-mcp": "res:gh-org",
  "filesystem-eng": "res:eng-share",
  "filesystem-finance": "res:finance-bucket",
  "memory-mcp": "res:memory-store",
  "everything-sandbox": "res:sandbox-host",
};

type CredentialType = "api_key" | "pat" | "oauth_client_secret" | "aws_access_key" | "ssh_key" | "certificate" | "bot_token" | "db_password";
type Storage = "vault" | "env" | "config_file" | "hard_coded";
interface CredentialRow {
  key: string;
  source: string;
  externalId: string;
  name: string;
  type: CredentialType;
  storage: Storage;
  location: string;
  /** Days before DEMO_NOW. */
  issued: number;
  rotated: number;
  /** Days after DEMO_NOW (negative: already expired); null: never expires. */
  expiresIn: number | null;
  for: string[];
  usedBy: string[];
}
const CLAUDE_DESKTOP_CONFIG = "~/Library/Application Support/Claude/claude_desktop_config.json";
const VSCODE_USER_MCP = "~/Library/Application Support/Code/User/mcp.json";
const CURSOR_CONFIG = "~/.cursor/mcp.json";
const CREDENTIALS: CredentialRow[] = [
  {
    key: "pat-lucas",
    source: "mcp-configs",
    externalId: "claude-desktop/lucas/github/GITHUB_PERSONAL_ACCESS_TOKEN",
    name: "GitHub PAT in Lucas's Claude Desktop config",
    type: "pat",
    storage: "hard_coded",
    location: `${CLAUDE_DESKTOP_CONFIG} → mcpServers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN`,
    issued: 264,
    rotated: 264,
    expiresIn: null,
    for: ["res:gh-org"],
    usedBy: ["mcp:github-mcp"],
  },
  {
    key: "pat-mei",
    source: "mcp-configs",
    externalId: "vscode/mei/github/GITHUB_PERSONAL_ACCESS_TOKEN",
    name: "GitHub fine-grained PAT in Mei's VS Code config",
    type: "pat",
    storage: "hard_coded",
    location: `${VSCODE_USER_MCP} → servers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN`,
    issued: 107,
    rotated: 107,
    expiresIn: -17,
    for: ["res:gh-org"],
    usedBy: ["mcp:github-mcp"],
  },
  {
    key: "pg-orders",
    source: "mcp-configs",
    externalId: "cursor/viktor/postgres-orders/connection-url",
    name: "orders reporting password in Viktor's Cursor config",
    type: "db_password",
    storage: "hard_coded",
    location: `${CURSOR_CONFIG} → mcpServers.postgres-orders.args[2] (password inside the connection URL)`,
    issued: 512,
    rotated: 512,
    expiresIn: null,
    for: ["res:orders-db"],
    usedBy: ["mcp:postgres-orders"],
  },
  {
    key: "etl-key",
    source: "aws",
    externalId: "iam-user/etl-nightly/access-key-1",
    name: "etl-nightly access key",
    type: "aws_access_key",
    storage: "env",
    location: "Airflow (ECS) task definition etl-nightly → environment AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
    issued: 334,
    rotated: 334,
    expiresIn: null,
    for: ["res:data-lake"],
    usedBy: ["sa:etl-nightly"],
  },
  {
    key: "legacy-key",
    source: "aws",
    externalId: "iam-user/legacy-reporting/access-key-1",
    name: "legacy-reporting access key",
    type: "aws_access_key",
    storage: "config_file",
    location: "reporting-vm-01:/home/tableau/.aws/credentials → [default]",
    issued: 1301,
    rotated: 1301,
    expiresIn: null,
    for: ["res:finance-bucket"],
    usedBy: ["sa:legacy-reporting"],
  },
  {
    key: "orders-master",
    source: "aws",
    externalId: "secretsmanager/orders-prod/master",
    name: "orders-prod master password",
    type: "db_password",
    storage: "vault",
    location: "AWS Secrets Manager → orders-prod/master (automatic rotation every 30 days)",
    issued: 700,
    rotated: 12,
    expiresIn: 18,
    for: ["res:orders-db"],
    usedBy: ["sa:backup-runner"],
  },
  {
    key: "saml-cert",
    source: "okta",
    externalId: "app/snowflake/saml-signing-cert",
    name: "Okta SAML signing certificate (Snowflake app)",
    type: "certificate",
    storage: "vault",
    location: "Okta → Applications → Snowflake → Sign On → SAML signing certificate",
    issued: 640,
    rotated: 640,
    expiresIn: 90,
    for: ["res:snowflake"],
    usedBy: [],
  },
  {
    key: "deploy-key",
    source: "github",
    externalId: "repo/northwind/platform/deploy-key/gha-runner",
    name: "platform deploy key (gha-runner)",
    type: "ssh_key",
    storage: "vault",
    location: "GitHub Actions organisation secret PLATFORM_DEPLOY_KEY",
    issued: 60,
    rotated: 60,
    expiresIn: null,
    for: ["res:repo-platform"],
    usedBy: ["sa:gha-runner"],
  },
  {
    key: "ci-pat",
    source: "github",
    externalId: "user/northwind-ci/pat/ci-review",
    name: "northwind-ci PAT",
    type: "pat",
    storage: "vault",
    location: "GitHub Actions organisation secret NORTHWIND_CI_TOKEN",
    issued: 140,
    rotated: 140,
    expiresIn: 133,
    for: ["res:gh-org"],
    usedBy: ["sa:northwind-ci"],
  },
  {
    key: "slack-bot",
    source: "saas",
    externalId: "slack/app/A05NWSTANDUP/bot-token",
    name: "standup-bot Slack bot token",
    type: "bot_token",
    storage: "env",
    location: "AWS Lambda standup-bot → environment SLACK_BOT_TOKEN",
    issued: 530,
    rotated: 530,
    expiresIn: null,
    for: ["res:slack"],
    usedBy: ["sa:standup-bot"],
  },
  {
    key: "snowflake-dbt",
    source: "saas",
    externalId: "snowflake/user/SVC_DBT/password",
    name: "SVC_DBT Snowflake password",
    type: "db_password",
    storage: "env",
    location: "dbt Cloud environment variable DBT_ENV_SECRET_SNOWFLAKE_PASSWORD; copied into the pipeline-doctor Kubernetes secret",
    issued: 420,
    rotated: 200,
    expiresIn: null,
    for: ["res:snowflake"],
    usedBy: ["sa:snowflake-dbt", "agt:pipeline-doctor"],
  },
  {
    key: "sfdc-oauth",
    source: "saas",
    externalId: "salesforce/connected-app/fivetran/client-secret",
    name: "Fivetran connected-app client secret",
    type: "oauth_client_secret",
    storage: "vault",
    location: "Fivetran connector settings (encrypted), Salesforce connected app 'Fivetran Sync'",
    issued: 75,
    rotated: 75,
    expiresIn: 290,
    for: ["res:salesforce"],
    usedBy: ["sa:salesforce-sync"],
  },
  {
    key: "anthropic-key",
    source: "saas",
    externalId: "anthropic/workspace/northwind-agents/key/incident-responder",
    name: "Anthropic API key (incident-responder)",
    type: "api_key",
    storage: "vault",
    location: "AWS Secrets Manager → agents/incident-responder/anthropic (synced by External Secrets)",
    issued: 45,
    rotated: 45,
    expiresIn: 320,
    for: ["res:anthropic"],
    usedBy: ["agt:incident-responder"],
  },
];

// ---------------------------------------------------------------------------
// Relationships
// ---------------------------------------------------------------------------

/** [holder, entitlement]; the assignment is reported by the entitlement's source. */
const HAS_ENTITLEMENT: [holder: string, entitlement: string][] = [
  ["g:github-admins", "gh-org-admin"],
  ["g:platform", "gh-platform-write"],
  ["sa:deploy-bot", "gh-platform-write"],
  ["sa:gha-runner", "gh-platform-write"],
  ["sa:northwind-ci", "gh-platform-write"],
  ["grace", "gh-pipelines-admin"],
  ["viktor", "gh-pipelines-admin"],
  ["g:product-eng", "gh-webapp-write"],
  ["sa:deploy-bot", "gh-webapp-write"],
  ["sa:northwind-ci", "gh-webapp-write"],
  ["g:platform", "aws-prod-ro"],
  ["g:data-platform", "aws-prod-ro"],
  ["g:secops", "aws-prod-ro"],
  ["noah", "aws-prod-ro"],
  ["ahmed", "aws-admin"],
  ["samir", "aws-admin"],
  ["sa:ci-deploy-prod", "aws-admin"],
  ["g:finance-ops", "s3-finance-read"],
  ["sa:finance-export", "s3-finance-read"],
  ["sa:legacy-reporting", "s3-finance-read"],
  ["g:prod-db-readers", "rds-orders-connect"],
  ["sa:etl-nightly", "rds-orders-connect"],
  ["sa:backup-runner", "rds-orders-connect"],
  ["g:data-platform", "sf-analyst"],
  ["g:finance-ops", "sf-analyst"],
  ["sa:snowflake-dbt", "sf-sysadmin"],
  ["viktor", "sf-sysadmin"],
  ["agt:pipeline-doctor", "sf-sysadmin"],
  ["g:sales", "sfdc-user"],
  ["agt:account-research", "sfdc-user"],
  ["nadia", "sfdc-admin"],
  ["sa:salesforce-sync", "sfdc-admin"],
  ["g:it-admins", "slack-admin"],
  ["sa:standup-bot", "slack-chat-write"],
  ["g:all-staff", "confluence-user"],
  ["samir", "okta-super-admin"],
  ["mariana", "okta-super-admin"],
  ["g:platform", "mcp-github-use"],
  ["g:platform", "mcp-fseng-use"],
  ["agt:lucas-claude", "mcp-github-use"],
  ["agt:lucas-claude", "mcp-fseng-use"],
  ["agt:lucas-claude", "mcp-memory-use"],
  ["agt:mei-cursor", "mcp-github-use"],
  ["agt:mei-cursor", "mcp-fseng-use"],
  ["agt:pr-review", "mcp-github-use"],
  ["agt:pr-review", "mcp-github-merge"],
  ["agt:incident-responder", "mcp-github-use"],
  ["agt:incident-responder", "mcp-memory-use"],
  ["agt:pipeline-doctor", "mcp-memory-use"],
  ["agt:account-research", "mcp-memory-use"],
  ["agt:onboarding-buddy", "mcp-memory-use"],
  ["agt:finance-copilot", "mcp-fsfin-read"],
  ["agt:finance-copilot", "mcp-fsfin-write"],
];

/**
 * Last use of an entitlement assignment (days before DEMO_NOW) where its system reports one: IAM Identity Center's
 * last access to a permission set, IAM's last-accessed data for a policy, Okta's admin-console sign-ins, Salesforce's
 * and Snowflake's login history. Written as `lastUsedAt` on the has_entitlement edge; the rest is unknown.
 */
const ENTITLEMENT_LAST_USED: Record<string, number> = {
  "ahmed>aws-admin": 2,
  "samir>aws-admin": 212,
  "noah>aws-prod-ro": 9,
  "sa:ci-deploy-prod>aws-admin": 1,
  "sa:etl-nightly>rds-orders-connect": 1,
  "sa:backup-runner>rds-orders-connect": 0,
  "sa:finance-export>s3-finance-read": 12,
  "sa:legacy-reporting>s3-finance-read": 402,
  "samir>okta-super-admin": 1,
  "mariana>okta-super-admin": 0,
  "nadia>sfdc-admin": 3,
  "sa:salesforce-sync>sfdc-admin": 0,
  "viktor>sf-sysadmin": 49,
  "sa:snowflake-dbt>sf-sysadmin": 0,
};

/**
 * A credential's last use where its system reports one (days before DEMO_NOW): IAM's access-key last used, GitHub's
 * token last used, Slack's and Salesforce's app activity. Config-file secrets (the MCP configs) report none.
 */
const CREDENTIAL_LAST_USED: Record<string, number> = {
  "etl-key": 1,
  "legacy-key": 401,
  "orders-master": 0,
  "ci-pat": 0,
  "deploy-key": 2,
  "slack-bot": 0,
  "snowflake-dbt": 0,
  "sfdc-oauth": 0,
  "anthropic-key": 0,
};

/**
 * Agents the register built from one template (its `blueprint`, as Entra Agent ID names it): the personal desktop
 * assistants people run for themselves. The others are one of a kind: they have no peers to compare with.
 */
const AGENT_BLUEPRINT: Record<string, string> = {
  "lucas-claude": "desktop-assistant",
  "mei-cursor": "desktop-assistant",
  "finance-copilot": "desktop-assistant",
  "eval-harness": "desktop-assistant",
};

/** MCP servers found in people's client configs: [human, server, client, config file]. */
const HUMAN_MCP_CONFIGS: [human: string, server: string, client: string, configPath: string][] = [
  ["lucas", "github-mcp", "Claude Desktop", CLAUDE_DESKTOP_CONFIG],
  ["lucas", "filesystem-eng", "Claude Desktop", CLAUDE_DESKTOP_CONFIG],
  ["lucas", "memory-mcp", "Claude Desktop", CLAUDE_DESKTOP_CONFIG],
  ["mei", "github-mcp", "VS Code", VSCODE_USER_MCP],
  ["mei", "filesystem-eng", "Cursor", CURSOR_CONFIG],
  ["hannah", "memory-mcp", "Cursor", CURSOR_CONFIG],
  ["claire", "filesystem-finance", "Claude Desktop", CLAUDE_DESKTOP_CONFIG],
  ["viktor", "postgres-orders", "Cursor", CURSOR_CONFIG],
  ["arjun", "everything-sandbox", "VS Code", ".vscode/mcp.json in northwind/agent-evals"],
  ["diego", "everything-sandbox", "Claude Desktop", CLAUDE_DESKTOP_CONFIG],
];

const AGENT_CONNECTS: [agent: string, servers: string[]][] = [
  ["lucas-claude", ["github-mcp", "filesystem-eng", "memory-mcp"]],
  ["mei-cursor", ["github-mcp", "filesystem-eng"]],
  ["pipeline-doctor", ["postgres-orders", "memory-mcp"]],
  ["finance-copilot", ["filesystem-finance"]],
  ["pr-review", ["github-mcp"]],
  ["incident-responder", ["github-mcp", "memory-mcp"]],
  ["account-research", ["memory-mcp"]],
  ["onboarding-buddy", ["memory-mcp"]],
  ["eval-harness", ["everything-sandbox"]],
];

const ACTS_FOR: [agent: string, principal: string][] = [
  ["lucas-claude", "lucas"],
  ["mei-cursor", "mei"],
  ["pipeline-doctor", "viktor"],
  ["finance-copilot", "claire"],
  ["account-research", "zanele"],
  ["pr-review", "sa:northwind-ci"],
  ["incident-responder", "sa:agents-eks"],
];

/**
 * [owner, owned, role]. Deliberately unowned: agent eval-harness, service account
 * legacy-reporting, MCP server everything-sandbox, credentials legacy-key and
 * saml-cert, resource sandbox-host. Owned only by the departed Viktor:
 * pipeline-doctor, postgres-orders, pg-orders.
 */
const OWNS: [owner: string, owned: string, role: OwnerRole][] = [
  // service accounts
  ["priya", "sa:ci-deploy-prod", "technical"],
  ["daniel", "sa:ci-deploy-prod", "business"],
  ["viktor", "sa:etl-nightly", "technical"],
  ["grace", "sa:etl-nightly", "business"],
  ["ahmed", "sa:backup-runner", "technical"],
  ["priya", "sa:backup-runner", "business"],
  ["claire", "sa:finance-export", "business"],
  ["lena", "sa:finance-export", "technical"],
  ["elena", "sa:agents-eks", "business"],
  ["arjun", "sa:agents-eks", "technical"],
  ["g:platform", "sa:deploy-bot", "technical"],
  ["priya", "sa:deploy-bot", "business"],
  ["ahmed", "sa:gha-runner", "technical"],
  ["lucas", "sa:northwind-ci", "technical"],
  ["priya", "sa:northwind-ci", "business"],
  ["joseph", "sa:standup-bot", "technical"],
  ["samir", "sa:standup-bot", "business"],
  ["grace", "sa:snowflake-dbt", "business"],
  ["mateo", "sa:snowflake-dbt", "technical"],
  ["nadia", "sa:salesforce-sync", "business"],
  ["mariana", "sa:okta-scim", "technical"],
  ["samir", "sa:okta-scim", "business"],
  ["g:secops", "sa:okta-scim", "security"],
  // agents
  ["lucas", "agt:lucas-claude", "technical"],
  ["priya", "agt:lucas-claude", "business"],
  ["mei", "agt:mei-cursor", "technical"],
  ["viktor", "agt:pipeline-doctor", "business"],
  ["claire", "agt:finance-copilot", "business"],
  ["lena", "agt:finance-copilot", "technical"],
  ["elena", "agt:pr-review", "business"],
  ["g:ai-platform", "agt:pr-review", "technical"],
  ["omar", "agt:pr-review", "security"],
  ["omar", "agt:incident-responder", "business"],
  ["dmitri", "agt:incident-responder", "technical"],
  ["james", "agt:account-research", "business"],
  ["hiroshi", "agt:account-research", "technical"],
  ["rebecca", "agt:onboarding-buddy", "business"],
  // MCP servers
  ["priya", "mcp:github-mcp", "business"],
  ["lucas", "mcp:github-mcp", "technical"],
  ["omar", "mcp:github-mcp", "security"],
  ["g:platform", "mcp:filesystem-eng", "technical"],
  ["priya", "mcp:filesystem-eng", "business"],
  ["claire", "mcp:filesystem-finance", "business"],
  ["elena", "mcp:memory-mcp", "business"],
  ["hannah", "mcp:memory-mcp", "technical"],
  ["viktor", "mcp:postgres-orders", "technical"],
  // credentials
  ["lucas", "cred:pat-lucas", "technical"],
  ["mei", "cred:pat-mei", "technical"],
  ["viktor", "cred:pg-orders", "technical"],
  ["grace", "cred:etl-key", "business"],
  ["amara", "cred:etl-key", "technical"],
  ["priya", "cred:orders-master", "business"],
  ["omar", "cred:orders-master", "security"],
  ["ahmed", "cred:deploy-key", "technical"],
  ["lucas", "cred:ci-pat", "technical"],
  ["joseph", "cred:slack-bot", "technical"],
  ["grace", "cred:snowflake-dbt", "business"],
  ["nadia", "cred:sfdc-oauth", "business"],
  ["elena", "cred:anthropic-key", "business"],
  // resources
  ["samir", "res:gh-org", "business"],
  ["priya", "res:gh-org", "technical"],
  ["priya", "res:repo-platform", "business"],
  ["grace", "res:repo-pipelines", "business"],
  ["viktor", "res:repo-pipelines", "technical"],
  ["marcus", "res:repo-webapp", "business"],
  ["priya", "res:orders-db", "business"],
  ["omar", "res:orders-db", "security"],
  ["claire", "res:finance-bucket", "business"],
  ["lena", "res:finance-bucket", "technical"],
  ["grace", "res:data-lake", "business"],
  ["elena", "res:eks-agents", "business"],
  ["ahmed", "res:eks-agents", "technical"],
  ["priya", "res:eng-share", "business"],
  ["kenji", "res:snowflake", "business"],
  ["nadia", "res:salesforce", "business"],
  ["samir", "res:slack", "business"],
  ["samir", "res:confluence", "business"],
  ["elena", "res:anthropic", "business"],
  ["samir", "res:okta-org", "business"],
  ["tomasz", "res:okta-org", "security"],
  ["elena", "res:memory-store", "business"],
  ["hannah", "res:memory-store", "technical"],
  // entitlements
  ["samir", "ent:gh-org-admin", "business"],
  ["tomasz", "ent:aws-admin", "security"],
  ["kenji", "ent:sf-sysadmin", "business"],
  ["nadia", "ent:sfdc-admin", "business"],
  ["tomasz", "ent:okta-super-admin", "security"],
  ["claire", "ent:s3-finance-read", "business"],
  ["claire", "ent:mcp-fsfin-read", "business"],
  ["claire", "ent:mcp-fsfin-write", "business"],
  ["priya", "ent:mcp-github-use", "business"],
  ["priya", "ent:mcp-github-merge", "business"],
  ["priya", "ent:rds-orders-connect", "business"],
];

type DemoUserRow = [human: string, roles: DemoUser["roles"], password: string, description: string];
const DEMO_USERS: DemoUserRow[] = [
  ["samir", ["admin"], "demo-admin-2026", "IT lead: manages users, tokens and sources"],
  ["chloe", ["analyst"], "demo-analyst-2026", "IAM analyst in Security: imports sources, explores the graph, triages findings, designs campaigns"],
  ["omar", ["analyst", "reviewer"], "demo-secops-2026", "Security engineering manager: triages findings and reviews the agents and credentials he owns"],
  ["priya", ["reviewer"], "demo-reviewer-2026", "Platform engineering manager: reviews access to the GitHub MCP server, platform repo and orders database"],
  ["claire", ["reviewer"], "demo-finance-2026", "Finance ops lead: reviews access to the finance-reports bucket and the finance filesystem MCP server"],
  ["beatriz", ["auditor"], "demo-auditor-2026", "Internal audit manager: read-only; exports evidence and verifies the audit log"],
];

// ---------------------------------------------------------------------------
// Builder
// ---------------------------------------------------------------------------

type Ref = Required<NodeRef>;

function createGraph() {
  const nodes: SeedNode[] = [];
  const edges: SeedEdge[] = [];
  const refs = new Map<string, Ref>();
  const nodeKeys = new Set<string>();
  const edgeKeys = new Set<string>();

  function node(key: string, source: string, kind: NodeKind, externalId: string, name: string, attributes: Record<string, unknown>): void {
    const id = `${source}|${kind}|${externalId}`;
    if (refs.has(key) || nodeKeys.has(id)) throw new Error(`demo org: duplicate node ${key} (${id})`);
    nodeKeys.add(id);
    refs.set(key, { source, kind, externalId });
    nodes.push({ source, kind, externalId, name, attributes: compact(attributes) });
  }

  function ref(key: string): Ref {
    const r = refs.get(key);
    if (!r) throw new Error(`demo org: unknown node key ${key}`);
    return r;
  }

  function edge(source: string, kind: EdgeKind, fromKey: string, toKey: string, attributes?: Record<string, unknown>): void {
    const from = ref(fromKey);
    const to = ref(toKey);
    const mismatch = edgeKindMismatch(kind, from.kind, to.kind);
    if (mismatch) throw new Error(`demo org: ${fromKey} → ${toKey}: ${mismatch}`);
    const id = [source, kind, from.source, from.kind, from.externalId, to.source, to.kind, to.externalId].join("|");
    if (edgeKeys.has(id)) throw new Error(`demo org: duplicate edge ${kind} ${fromKey} → ${toKey}`);
    edgeKeys.add(id);
    edges.push({ source, kind, from: { ...from }, to: { ...to }, ...(attributes ? { attributes } : {}) });
  }

  return { node, ref, edge, nodes, edges };
}

/** Node keys: humans by first name; everything else prefixed by kind. */
const key = {
  group: (k: string) => `g:${k}`,
  sa: (k: string) => `sa:${k}`,
  agent: (k: string) => `agt:${k}`,
  server: (k: string) => `mcp:${k}`,
  tool: (server: string, tool: string) => `tool:${server}/${tool}`,
  ent: (k: string) => `ent:${k}`,
  res: (k: string) => `res:${k}`,
  cred: (k: string) => `cred:${k}`,
};
/** Membership and ownership tables name groups bare on the group side; normalise. */
const groupRef = (k: string): string => (k.startsWith("g:") ? k : key.group(k));

export function buildDemoOrg(): SeedGraph {
  const g = createGraph();
  const sourceOf = (k: string): string => g.ref(k).source;

  // --- people and groups ---
  for (const [k, name, description] of GROUPS) g.node(key.group(k), "okta", "group", oktaId("00g", k), name, { description });

  HUMANS.forEach(([first, last, department, title, manager, startDate], i) => {
    const k = humanKey(first);
    const status = k === TERMINATED.key ? "terminated" : k === ON_LEAVE.key ? "leave" : "active";
    g.node(k, "okta", "human", oktaId("00u", k), `${first} ${last}`, {
      email: `${k}@${DEMO_DOMAIN}`,
      firstName: first,
      lastName: last,
      department,
      title,
      status,
      employeeNumber: `NW${String(1001 + i)}`,
      managerExternalId: manager ? oktaId("00u", manager) : undefined,
      startDate,
      terminationDate: status === "terminated" ? dateOnly(daysAgo(TERMINATED.daysAgo)) : undefined,
      leaveStartDate: status === "leave" ? dateOnly(daysAgo(ON_LEAVE.daysAgo)) : undefined,
      leaveReason: status === "leave" ? ON_LEAVE.reason : undefined,
      lastLogin: daysAgo(lastLoginDays(k, i)),
    });
  });
  for (const [first, , , , manager, , team] of HUMANS) {
    const k = humanKey(first);
    if (manager) g.edge("okta", "manages", manager, k);
    g.edge("okta", "member_of", k, key.group(team));
    // Okta's group rule drops deactivated people from All Staff; their other memberships linger.
    if (k !== TERMINATED.key) g.edge("okta", "member_of", k, key.group("all-staff"));
  }
  for (const [member, group] of EXTRA_MEMBERSHIPS) g.edge("okta", "member_of", member, groupRef(group));

  // --- non-human identities ---
  for (const [k, source, externalId, name, platform, description, status] of SERVICE_ACCOUNTS) {
    g.node(key.sa(k), source, "service_account", externalId, name, { description, platform, status });
  }
  for (const [k, name, purpose, autonomy, runtime, model, status] of AGENTS) {
    g.node(key.agent(k), "agent-registry", "agent", `agt-${k}`, name, { purpose, autonomy, runtime, model, status, blueprint: AGENT_BLUEPRINT[k] });
  }
  for (const [k, source, externalId, name, system, environment, dataClassification] of RESOURCES) {
    g.node(key.res(k), source, "resource", externalId, name, { system, environment, dataClassification });
  }

  // --- MCP servers and their discovered tools ---
  for (const s of MCP_SERVERS) {
    const list = s.tools ? TOOL_LISTS[s.tools] : null;
    // How the MCP config importer describes a launch: `npx -y pkg` without a version is unpinned.
    const launch = s.transport === "stdio" ? analyzeLaunch("npx", s.args ?? []) : null;
    g.node(key.server(s.key), "mcp-configs", "mcp_server", s.key, s.name, {
      transport: s.transport,
      command: s.transport === "stdio" ? "npx" : undefined,
      args: s.args ? [...s.args] : undefined,
      url: s.url,
      version: list ? list.serverInfo.version : null,
      serverInfoName: list?.serverInfo.name,
      package: s.package,
      launcher: launch?.launcher ?? undefined,
      packageVersion: launch ? (launch.packageVersion ?? undefined) : PACKAGE_VERSIONS.get(s.package),
      pinned: launch ? launch.pinned : undefined,
      host: s.host,
      ...structuredClone(s.extra ?? {}),
    });
    for (const t of list?.tools ?? []) {
      const toolKey = key.tool(s.key, t.name);
      g.node(toolKey, "mcp-discovery", "tool", `${s.key}/${t.name}`, t.name, {
        title: t.title,
        description: t.description,
        inputSchema: structuredClone(t.inputSchema),
        outputSchema: t.outputSchema === undefined ? undefined : structuredClone(t.outputSchema),
        annotations: t.annotations ? structuredClone(t.annotations) : undefined,
        server: s.key,
        ...riskAttributes(toolRisk(t.annotations)),
        definitionHash: toolDefinitionHash(t),
      });
      g.edge("mcp-discovery", "exposes", key.server(s.key), toolKey);
      const target = TOOLS_ACT_ON[s.key];
      if (target) g.edge("mcp-discovery", "acts_on", toolKey, target);
    }
  }
  /** Grant targets: a node key, or every read-only / writing tool of a server. */
  const grantTargets = (target: string): string[] => {
    const m = /^(readonly|writing)-tools:(.+)$/.exec(target);
    if (!m) return [target];
    const server = MCP_SERVERS.find((s) => s.key === m[2]);
    const tools = server?.tools ? TOOL_LISTS[server.tools].tools : [];
    return tools.filter((t) => (t.annotations?.readOnlyHint === true) === (m[1] === "readonly")).map((t) => key.tool(m[2]!, t.name));
  };

  // --- entitlements ---
  for (const [k, source, externalId, name, system, description, privileged, grants] of ENTITLEMENTS) {
    g.node(key.ent(k), source, "entitlement", externalId, name, { system, description, privileged });
    for (const target of grants.flatMap(grantTargets)) g.edge(source, "grants", key.ent(k), target);
  }
  for (const [holder, ent] of HAS_ENTITLEMENT) {
    const used = ENTITLEMENT_LAST_USED[`${holder}>${ent}`];
    g.edge(sourceOf(key.ent(ent)), "has_entitlement", holder, key.ent(ent), used === undefined ? undefined : { lastUsedAt: daysAgo(used) });
  }

  // --- credentials ---
  for (const c of CREDENTIALS) {
    g.node(key.cred(c.key), c.source, "credential", c.externalId, c.name, {
      type: c.type,
      storage: c.storage,
      location: c.location,
      fingerprint: fingerprint(c.source, c.externalId),
      issuedAt: daysAgo(c.issued),
      expiresAt: c.expiresIn === null ? null : daysAgo(-c.expiresIn),
      lastRotatedAt: daysAgo(c.rotated),
      lastUsedAt: CREDENTIAL_LAST_USED[c.key] === undefined ? undefined : daysAgo(CREDENTIAL_LAST_USED[c.key]!),
    });
    for (const target of c.for) g.edge(c.source, "credential_for", key.cred(c.key), target);
    for (const user of c.usedBy) g.edge(sourceOf(user), "uses_credential", user, key.cred(c.key));
  }

  // --- who connects to what, on whose behalf ---
  for (const [human, server, client, configPath] of HUMAN_MCP_CONFIGS) {
    g.edge("mcp-configs", "connects_to", human, key.server(server), { client, configPath });
  }
  for (const [agent, servers] of AGENT_CONNECTS) {
    for (const server of servers) g.edge("agent-registry", "connects_to", key.agent(agent), key.server(server));
  }
  for (const [agent, principal] of ACTS_FOR) g.edge("agent-registry", "acts_for", key.agent(agent), principal);

  // --- ownership: reported with the owned node's source ---
  for (const [owner, owned, role] of OWNS) g.edge(sourceOf(owned), "owns", owner, owned, { role });

  const users: DemoUser[] = DEMO_USERS.map(([human, roles, password, description]) => {
    const row = HUMANS.find(([first]) => humanKey(first) === human);
    if (!row) throw new Error(`demo org: demo user ${human} is not a human`);
    return {
      email: `${human}@${DEMO_DOMAIN}`,
      name: `${row[0]} ${row[1]}`,
      password,
      roles: [...roles],
      humanExternalId: g.ref(human).externalId,
      description,
    };
  });

  return { sources: SOURCES.map((s) => ({ ...s })), nodes: g.nodes, edges: g.edges, users };
}
