import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "lib/db/migrations/**",
      "bench/out/**",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // A transaction is already a Db (Tx in lib/db/client.ts): a double cast would hide real type errors.
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "TSAsExpression[typeAnnotation.typeName.name='Db'] > TSAsExpression.expression",
          message: "a Tx is a Db: pass it as is (lib/db/client.ts)",
        },
      ],
    },
  },
  {
    // Parsers, analyses and queries know nothing of HTTP: they throw DomainError (lib/errors.ts), the edge maps it (lib/layering.test.ts checks it too).
    files: ["lib/trace/**", "lib/analysis/**", "lib/import/**", "lib/db/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/api", "@/lib/api/**", "**/api", "**/api/**"],
              message:
                "lib/trace, lib/analysis, lib/import and lib/db do not import lib/api; throw DomainError from @/lib/errors",
            },
          ],
        },
      ],
    },
  },
];

export default config;
