/**
 * The views a share link can pin, recognized from their path. Every view's state lives in its URL,
 * so path + query string is the whole view.
 */
export type ViewPath =
  | { kind: "overview"; runId: string; pathname: string; search: string }
  | { kind: "layer"; runId: string; layer: number; pathname: string; search: string }
  | { kind: "placement"; runId: string; pathname: string; search: string }
  | { kind: "expert"; runId: string; expert: number; pathname: string; search: string }
  | { kind: "graph"; runId: string; pathname: string; search: string }
  | { kind: "flow"; runId: string; pathname: string; search: string }
  | { kind: "specialization"; runId: string; pathname: string; search: string }
  /** runId is run A; run B is in the query string. */
  | { kind: "compare"; runId: string; pathname: string; search: string };

const PATTERNS: [RegExp, (m: RegExpExecArray) => Omit<ViewPath, "pathname" | "search">][] = [
  [/^\/runs\/([a-z0-9]+)$/, (m) => ({ kind: "overview", runId: m[1] })],
  [/^\/runs\/([a-z0-9]+)\/layers\/(\d+)$/, (m) => ({ kind: "layer", runId: m[1], layer: Number(m[2]) })],
  [/^\/runs\/([a-z0-9]+)\/placement$/, (m) => ({ kind: "placement", runId: m[1] })],
  [/^\/runs\/([a-z0-9]+)\/experts\/(\d+)$/, (m) => ({ kind: "expert", runId: m[1], expert: Number(m[2]) })],
  [/^\/runs\/([a-z0-9]+)\/graph$/, (m) => ({ kind: "graph", runId: m[1] })],
  [/^\/runs\/([a-z0-9]+)\/flow$/, (m) => ({ kind: "flow", runId: m[1] })],
  [/^\/runs\/([a-z0-9]+)\/specialization$/, (m) => ({ kind: "specialization", runId: m[1] })],
];

/** Parses "/runs/…?…" (or a full URL of this app); null when it is not a shareable view. */
export function parseViewPath(path: string): ViewPath | null {
  let url: URL;
  try {
    url = new URL(path, "http://atlas.invalid");
  } catch {
    return null;
  }
  const pathname = url.pathname.replace(/\/+$/, "") || "/";
  if (pathname === "/compare") {
    const a = url.searchParams.get("a");
    return a && /^[a-z0-9]+$/.test(a) && url.searchParams.get("b") ? { kind: "compare", runId: a, pathname, search: url.search } : null;
  }
  for (const [re, make] of PATTERNS) {
    const m = re.exec(pathname);
    if (m) return { ...make(m), pathname, search: url.search } as ViewPath;
  }
  return null;
}
