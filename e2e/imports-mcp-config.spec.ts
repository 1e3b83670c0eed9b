import { expect, test } from "@playwright/test";
import { SignInPage } from "./pages";

// A Codex config.toml: the figma server is the example from developers.openai.com/codex/mcp; "old" is disabled.
const codex = `[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
bearer_token_env_var = "FIGMA_OAUTH_TOKEN"
http_headers = { "X-Figma-Region" = "us-east-1" }

[mcp_servers.old]
command = "npx"
args = ["-y", "old-mcp"]
enabled = false
`;

test("an analyst imports a Codex config.toml: the answer says what was read and lists the warnings, so does the history", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/imports");
  await page.getByLabel("Format").selectOption("mcp-config");
  await page.getByLabel("Source").fill("e2e-codex");
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "config.toml", mimeType: "application/toml", buffer: Buffer.from(codex) });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const status = page.getByRole("status").filter({ hasText: "Imported" });
  await expect(status).toContainText("Read as codex");
  await expect(status.getByRole("list", { name: "Import warnings" })).toContainText("mcp_servers.old: is disabled in the client");

  const row = page.getByTestId("imports-table").locator("tbody tr").first();
  await expect(row).toContainText("read as codex");
  await row.getByRole("button", { name: "1 warning" }).click();
  await expect(page.getByTestId("imports-table").getByRole("list", { name: "Warnings", exact: true })).toContainText("imported with disabled: true");
});
