import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, mergeSettings, settingsOverridesSchema } from "./settings";

describe("findings settings", () => {
  it("lays overrides over the defaults, rule by rule", () => {
    const s = mergeSettings({ rotationDays: 30, rules: { hardcoded_secret: { severity: "high" }, dual_access_path: { enabled: false } } });
    expect(s.rotationDays).toBe(30);
    expect(s.certificationMaxAgeDays).toBe(DEFAULT_SETTINGS.certificationMaxAgeDays);
    expect(s.rules.hardcoded_secret).toEqual({ enabled: true, severity: "high" });
    expect(s.rules.dual_access_path).toEqual({ enabled: false, severity: "medium" });
    expect(s.rules.shared_credential).toEqual(DEFAULT_SETTINGS.rules.shared_credential);
    expect(DEFAULT_SETTINGS.rules.hardcoded_secret.severity).toBe("critical");
  });

  it("refuses unknown fields, rules and out-of-range thresholds", () => {
    const r = settingsOverridesSchema.safeParse({ rotationDays: 0, rules: { nope: { enabled: true } }, colour: "red" });
    expect(r.success).toBe(false);
    expect(settingsOverridesSchema.safeParse({ sharedCredentialMinUsers: 1 }).success).toBe(false);
    expect(settingsOverridesSchema.safeParse({ riskyToolMinRisk: "critical", maxDepth: 12 }).success).toBe(true);
  });
});
