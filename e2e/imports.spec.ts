import { expect, test } from "@playwright/test";
import { SignInPage } from "./pages";

const doc = {
  source: "e2e-hr",
  mode: "full",
  nodes: [
    { kind: "human", externalId: "x1", name: "Ingrid Imported", attributes: { status: "active" } },
    { kind: "group", externalId: "gx", name: "Imported Group" },
  ],
  edges: [{ kind: "member_of", from: { kind: "human", externalId: "x1" }, to: { kind: "group", externalId: "gx" } }],
};

test("an analyst imports a graph document, sees it in the history, then a bad file is refused with its problems", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/imports");
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "hr.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(doc)) });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Imported" })).toContainText("2 nodes created");
  await expect(page.getByTestId("imports-table").locator("tbody tr").first()).toContainText("succeeded");

  const bad = { ...doc, nodes: [{ kind: "wizard", externalId: "m", name: "Merlin" }] };
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bad)) });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const alert = page.getByRole("alert").filter({ hasText: "rejected" });
  await expect(alert).toContainText("nodes[0].kind");
  await expect(page.getByTestId("imports-table").locator("tbody tr").first()).toContainText("rejected");
  await page.screenshot({ path: "test-results/imports.png", fullPage: true });

  await page.goto("/nodes?q=Ingrid");
  await expect(page.getByRole("link", { name: "Ingrid Imported" })).toBeVisible();
  await page.goto("/nodes?q=Merlin");
  await expect(page.getByText("No identities match")).toBeVisible();
});

test("an auditor sees the import history but no upload form", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("auditor");
  await page.goto("/imports");
  await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Import", exact: true })).toHaveCount(0);
});
