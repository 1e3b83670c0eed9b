import { expect, test, type Page } from "@playwright/test";
import { SignInPage } from "./pages";

/** The agents' owned share on the coverage page, as a number (78 for "78%"). */
async function agentShare(page: Page): Promise<number> {
  await page.goto("/ownership");
  const share = page.getByTestId("coverage-kind-agent").getByTestId("owned-share");
  await expect(share).toHaveText(/^\d+%$/);
  return Number((await share.textContent())!.replace("%", ""));
}

test("an analyst assigns an owner to an orphaned agent from the orphans list and sees coverage rise", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  const before = await agentShare(page);
  await page.screenshot({ path: "test-results/ownership-coverage.png", fullPage: true });

  await page
    .getByRole("navigation", { name: "Ownership views" })
    .getByRole("link", { name: /Orphans/ })
    .click();
  await expect(page.getByRole("heading", { name: "Orphans", level: 1 })).toBeVisible();
  // The demo's departed data engineer still owns agents, servers and a hard-coded password.
  const doctor = page.getByRole("row", { name: /Pipeline Doctor/ });
  await expect(doctor).toContainText("owners left");
  await expect(doctor).toContainText("Viktor Sokolov (terminated)");
  await page.screenshot({ path: "test-results/ownership-orphans.png", fullPage: true });

  const agentsChip = page.getByRole("navigation", { name: "Filter by kind" }).getByRole("link", { name: /AI agent/ });
  await agentsChip.click();
  await expect(page).toHaveURL(/kind=agent/);
  await expect(agentsChip).toHaveAttribute("aria-current", "true");
  const harness = page.getByRole("row", { name: /MCP eval harness/ });
  await expect(harness).toContainText("no owner");
  await harness.getByRole("checkbox", { name: "Select MCP eval harness" }).check();
  await expect(page.getByTestId("selected-count")).toHaveText("1 selected");

  const picker = page.getByRole("combobox", { name: "New owner" });
  await picker.fill("Arjun");
  await page.getByRole("option", { name: /Arjun Mehta/ }).click();
  await page.getByLabel("Owner role").selectOption("technical");
  await page.getByLabel("Why this owner").fill("runs the agent evals");
  await page.getByRole("button", { name: "Assign to 1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Arjun Mehta is now technical owner of 1 node." })).toBeVisible();
  await expect(page.getByRole("row", { name: /MCP eval harness/ })).toHaveCount(0);

  // Coverage is recounted by the after-change pipeline, moments after the assignment (the page reads what it keeps).
  await expect.poll(() => agentShare(page)).toBeGreaterThan(before);
  await page.screenshot({ path: "test-results/ownership-coverage-after.png", fullPage: true });
});

test("the assigned owner is recorded with who, why and the attest source; suggestions explain themselves", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  // A node can be addressed as source:kind:externalId.
  await page.goto(`/ownership/nodes/${encodeURIComponent("agent-registry:agent:agt-eval-harness")}`);
  await expect(page.getByRole("heading", { name: /MCP eval harness/ })).toBeVisible();
  const row = page.getByTestId("owners-table").getByRole("row", { name: /Arjun Mehta/ });
  await expect(row).toContainText("technical");
  await expect(row).toContainText("attest since");
  await expect(row).toContainText("runs the agent evals");

  // An agent acting for the departed Viktor: his manager is suggested, with the reason.
  await page.goto("/ownership/orphans?kind=agent");
  await page.getByRole("link", { name: "Owners and suggestions for Pipeline Doctor" }).click();
  await expect(page.getByTestId("suggestions")).toContainText("Grace Kim");
  await expect(page.getByTestId("suggestions")).toContainText("manager of Viktor Sokolov");
  await page.screenshot({ path: "test-results/ownership-node.png", fullPage: true });
});

test("departures not yet queued are listed and can be queued by hand", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/ownership/reassignments");
  const viktor = page.getByTestId("departures").getByRole("row", { name: /Viktor Sokolov/ });
  await expect(viktor).toBeVisible();
  await viktor.getByRole("button", { name: "Queue what Viktor Sokolov owns for reassignment" }).click();
  const queue = page.getByTestId("queue-table");
  await expect(queue.getByRole("row", { name: /Pipeline Doctor/ }).first()).toContainText("Grace Kim");
  await expect(queue).toContainText("agent acts for someone who left");
  await page.screenshot({ path: "test-results/ownership-queue.png", fullPage: true });
});

test("an auditor reads coverage and orphans but cannot select or assign", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("auditor");
  await page.goto("/ownership/orphans");
  await expect(page.getByTestId("orphans-table")).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Assign/ })).toHaveCount(0);
});

test("a reviewer sees what they own, and not the coverage or orphans", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("reviewer");
  await page.goto("/ownership");
  await expect(page).toHaveURL(/\/ownership\/mine$/);
  await expect(page.getByTestId("mine-table")).toContainText("GitHub MCP server");
  await page.screenshot({ path: "test-results/ownership-mine.png", fullPage: true });
  await page.goto("/ownership/orphans");
  await expect(page).toHaveURL(/\/forbidden/);
});
