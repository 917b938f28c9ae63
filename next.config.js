/** Headers every answer carries: no framing (clickjacking), no MIME sniffing, no referrer beyond the origin. */
const SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships a WASM Postgres and its data files; bundling it breaks their lookup.
  serverExternalPackages: ["@electric-sql/pglite"],
  // Trace uploads stream through route handlers; no body-size rewriting by a proxy layer.
  poweredByHeader: false,
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      // API answers are data, never documents: nothing in them may run or be framed. Pages get
      // their policy, with a nonce, from proxy.ts.
      {
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

module.exports = nextConfig;
