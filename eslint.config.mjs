import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** Components that still call fetch themselves; each is migrated to apiFetch and removed from this list. */
const FETCH_NOT_YET_MIGRATED = [
  "components/admin/outbound-panel.tsx",
  "components/admin/retry-job-button.tsx",
  "components/admin/tokens-panel.tsx",
  "components/admin/users-table.tsx",
  "components/campaigns/campaign-actions.tsx",
  "components/campaigns/campaign-form.tsx",
  "components/campaigns/inbox.tsx",
  "components/campaigns/remediation-table.tsx",
  "components/findings/evaluate-button.tsx",
  "components/findings/finding-actions.tsx",
  "components/findings/findings-table.tsx",
  "components/imports/imports-table.tsx",
  "components/imports/upload-form.tsx",
  "components/ownership/assign-form.tsx",
  "components/ownership/owner-picker.tsx",
];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**", "db/migrations/**", "next-env.d.ts", "**/fixtures/**", "bench-results/**"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Components reach the API through lib/client/api-fetch.ts (apiFetch + React Query), never with a bare fetch.
    files: ["components/**/*.tsx", "app/**/*.tsx"],
    ignores: FETCH_NOT_YET_MIGRATED,
    rules: {
      "no-restricted-globals": ["error", { name: "fetch", message: "Use apiFetch from @/lib/client/api-fetch (with useQuery/useMutation) so errors and types are handled in one place." }],
    },
  },
];

export default config;
