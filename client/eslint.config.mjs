// Lint of the client's sources (STYLE.md, "TypeScript"): the rules that
// catch unhandled rejections before a test has to, with the type checker's
// view of every promise. Run by `npm run lint` and tests/tests/client_package.rs.
import tseslint from "typescript-eslint";

export default tseslint.config(
  // The builds carry the sources' eslint comments; the tests are plain JS.
  { ignores: ["dist/", "test/", "test-types/"] },
  {
    files: ["src/**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      // Handlers are given `unknown` JSON from the wire; templates of numbers are fine.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
    },
  },
);
