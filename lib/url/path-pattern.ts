/**
 * A view's path pattern, "/runs/:runId/layers/:layer": literal segments, and `:name` segments that
 * match any one segment (the view's params schema then decides what a segment may be).
 */
export interface PathPattern {
  pattern: string;
  names: string[];
  /** The raw `:name` segments of a pathname that fits the pattern, decoded; null when it does not fit. */
  match(pathname: string): Record<string, string> | null;
}

export function compilePathPattern(pattern: string): PathPattern {
  if (!pattern.startsWith("/")) throw new Error(`path pattern "${pattern}" must start with /`);
  const segments = pattern === "/" ? [] : pattern.slice(1).split("/");
  const names = segments.filter((s) => s.startsWith(":")).map((s) => s.slice(1));
  if (new Set(names).size !== names.length) throw new Error(`path pattern "${pattern}" names a segment twice`);
  return {
    pattern,
    names,
    match(pathname) {
      const parts = pathname === "/" ? [] : pathname.replace(/^\//, "").split("/");
      if (parts.length !== segments.length) return null;
      const out: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i];
        if (seg.startsWith(":")) {
          try {
            out[seg.slice(1)] = decodeURIComponent(parts[i]);
          } catch {
            return null;
          }
        } else if (seg !== parts[i]) return null;
      }
      return out;
    },
  };
}
