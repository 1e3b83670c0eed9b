/**
 * The README's pictures, taken from a running app on the demo organisation:
 *   npm run screenshots -- [--url http://127.0.0.1:3000] [--out docs]
 * Start the app on a fresh data folder first (`npm start`). It launches one small campaign for the demo reviewer
 * (as the analyst, through the API) so the inbox has something to show. Debian's Chromium (/usr/bin/chromium, or
 * ATTEST_CHROMIUM) draws the pages.
 */
import path from "node:path";
import { chromium, type Browser, type Page } from "@playwright/test";
import { buildDemoOrg } from "../db/seed/demo-org";

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const base = flag("url", "http://127.0.0.1:3000").replace(/\/$/, "");
const out = flag("out", "docs");
const demo = buildDemoOrg();
const user = (role: string) => demo.users.find((u) => u.roles.length === 1 && u.roles[0] === role)!;

async function signedIn(browser: Browser, role: string, width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, baseURL: base });
  const page = await context.newPage();
  const u = user(role);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(u.email);
  await page.getByLabel("Password").fill(u.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("current-user").waitFor({ state: "attached" }); // behind the Menu button on a phone
  return page;
}

async function json<T>(page: Page, url: string, init?: { method: string; data: unknown }): Promise<T> {
  const headers = { origin: base, "content-type": "application/json" };
  const r = init ? await page.request.post(url, { headers, data: init.data }) : await page.request.get(url);
  if (!r.ok()) throw new Error(`${url}: ${r.status()}`);
  return (await r.json()) as T;
}

async function shot(page: Page, file: string) {
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: path.join(out, file) });
  console.log(`wrote ${path.join(out, file)}`);
}

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.ATTEST_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const admin = await signedIn(browser, "admin", 1280, 860);
    await admin.goto("/");
    await shot(admin, "dashboard.png");

    type Listing = { items: { id: string; name: string }[] };
    const doctor = (await json<Listing>(admin, "/api/v1/nodes?kind=agent&q=Pipeline%20Doctor")).items[0]!;
    await admin.goto(`/nodes/${doctor.id}`);
    await shot(admin, "node-hub.png");

    const resource = (await json<Listing>(admin, `/api/v1/access/reachable-from?principal=${doctor.id}&kind=resource&limit=1`)).items[0];
    if (resource) {
      await admin.goto(`/graph?node=${doctor.id}&mode=paths&to=${resource.id}`);
      await admin.getByTestId("results").getByRole("option").first().click();
      await admin.waitForTimeout(800); // the layout's animation settles
      await shot(admin, "explorer-path.png");
    }

    const analyst = await signedIn(browser, "analyst", 1280, 860);
    const created = await json<{ id: string }>(analyst, "/api/v1/campaigns", {
      method: "POST",
      data: {
        name: "Q1 MCP access review",
        scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: ["mcp-configs:mcp_server:github-mcp", "mcp-configs:mcp_server:filesystem-eng"] },
        reviewerStrategy: "target_owner",
        fallbackReviewer: user("reviewer").email,
        dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      },
    });
    await json(analyst, `/api/v1/campaigns/${created.id}/launch`, { method: "POST", data: {} });

    // Runtime decisions: Mei's Cursor agent asks for a read-only tool of the engineering filesystem server.
    await analyst.goto("/decisions");
    const pickNode = async (label: string, text: string) => {
      await analyst.getByRole("combobox", { name: label }).fill(text);
      await analyst
        .getByRole("listbox", { name: `${label}: matches` })
        .getByRole("option")
        .first()
        .click();
    };
    await pickNode("Who acts", "Mei's Cursor");
    await pickNode("Tool", "filesystem-eng/read_text_file");
    await analyst.getByTestId("test-decision-submit").click();
    await analyst.getByTestId("decision-path").waitFor();
    await shot(analyst, "decisions.png");

    const reviewer = await signedIn(browser, "reviewer", 1280, 860);
    await reviewer.goto(`/campaigns/inbox?campaign=${created.id}`);
    await shot(reviewer, "inbox.png");
    const phone = await signedIn(browser, "reviewer", 390, 844);
    await phone.goto(`/campaigns/inbox?campaign=${created.id}`);
    await phone.waitForLoadState("networkidle");
    await phone.evaluate(() => window.scrollTo(0, 0)); // the inbox scrolls its first open item into view
    await shot(phone, "inbox-phone.png");
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
