import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      "test-results/**",
      "playwright-report/**",
      "db/migrations/**",
      "next-env.d.ts",
      "**/fixtures/**",
      "bench-results/**",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Components reach the API through lib/client/api-fetch.ts (apiFetch + React Query), never with a bare fetch.
    files: ["components/**/*.tsx", "app/**/*.tsx"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "fetch", message: "Use apiFetch from @/lib/client/api-fetch (with useQuery/useMutation) so errors and types are handled in one place." },
      ],
    },
  },
];

export default config;
