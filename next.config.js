/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships a WASM Postgres and its data files; bundling it breaks their lookup.
  serverExternalPackages: ["@electric-sql/pglite"],
  // Trace uploads stream through route handlers; no body-size rewriting by a proxy layer.
  poweredByHeader: false,
};

module.exports = nextConfig;
