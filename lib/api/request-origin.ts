import { ApiError } from "@/lib/errors";

/**
 * Where the app is, as its users reach it. Links the server hands out (share URLs) and the
 * same-origin check on cookie writes both start here. Settings:
 * - ATLAS_PUBLIC_URL: the app's public base URL (https://atlas.lab.example); wins when set.
 * - ATLAS_TRUST_PROXY=1: believe X-Forwarded-Proto/-Host from a reverse proxy. Off by default:
 *   without a proxy that overwrites them, any client could claim any host or scheme.
 */
export function trustProxy(): boolean {
  return process.env.ATLAS_TRUST_PROXY === "1" || process.env.ATLAS_TRUST_PROXY === "true";
}

export function configuredPublicUrl(): URL | null {
  const v = process.env.ATLAS_PUBLIC_URL;
  if (!v) return null;
  try {
    const url = new URL(v);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
    return url;
  } catch {
    throw new Error(`ATLAS_PUBLIC_URL must be an absolute http(s) URL such as https://atlas.example.org, got "${v}"`);
  }
}

const first = (v: string | null) => v?.split(",")[0].trim() || null;

/** The scheme this request was made with: the URL's own, or the proxy's word when trusted. */
export function requestProtocol(req: Request): "http" | "https" {
  if (trustProxy()) {
    const p = first(req.headers.get("x-forwarded-proto"));
    if (p === "https" || p === "http") return p;
  }
  return new URL(req.url).protocol === "https:" ? "https" : "http";
}

/** host[:port] the client addressed: the Host header (or the proxy's X-Forwarded-Host when trusted). */
export function requestHost(req: Request): string {
  const forwarded = trustProxy() ? first(req.headers.get("x-forwarded-host")) : null;
  return forwarded ?? req.headers.get("host") ?? new URL(req.url).host;
}

/** The origin links should use: ATLAS_PUBLIC_URL, else the host and scheme the request came to. */
export function publicOrigin(req: Request): string {
  const configured = configuredPublicUrl();
  if (configured) return configured.origin;
  return `${requestProtocol(req)}://${requestHost(req)}`;
}

/** Whether the response travels over https, so cookies must be Secure. */
export function isHttps(req: Request): boolean {
  return requestProtocol(req) === "https";
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery: a write carried by the session cookie must come from a page of this
 * app. Browsers send Sec-Fetch-Site and Origin on every POST/PATCH/DELETE, so a write whose
 * Sec-Fetch-Site is not same-origin, or whose Origin is not this app's (another port of the host,
 * a sibling subdomain, a sandboxed frame's "null"), is refused. Requests with neither header are
 * not from a browser page (the CLI, curl, scripts). Bearer-token writes cannot be forged (a page
 * elsewhere cannot set the header without a CORS preflight this app never grants), so they pass.
 */
export function assertSameOriginWrite(req: Request): void {
  if (SAFE_METHODS.has(req.method) || req.headers.get("authorization")) return;
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new ApiError(
      403,
      "cross_origin",
      `a write from another site or origin (Sec-Fetch-Site: ${site}) is refused; use the app's own pages, or a Bearer token from scripts`,
      "header Sec-Fetch-Site",
    );
  }
  const origin = req.headers.get("origin");
  if (origin === null) return;
  if (!allowedOrigin(req, origin)) {
    throw new ApiError(
      403,
      "cross_origin",
      `a write from origin ${origin} is refused: this app is ${publicOrigin(req)}; use its own pages, or a Bearer token from scripts`,
      "header Origin",
    );
  }
}

function allowedOrigin(req: Request, origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file pages) and anything malformed
  }
  const configured = configuredPublicUrl();
  if (configured && url.origin === configured.origin) return true;
  // The host the browser addressed is this app; the scheme needs no check (one host:port, one scheme).
  return url.host === requestHost(req);
}
