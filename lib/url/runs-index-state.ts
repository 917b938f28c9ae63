import { z } from "zod";
import { defaultOrder, RUN_SORTS, type RunSort } from "@/lib/runs/run-sorts";

/** The runs table's columns, in display order; `sort` is the server-side sort behind the header. */
export const RUN_COLUMNS = [
  { key: "name", label: "Name", sort: "name" },
  { key: "model", label: "Model", sort: "model" },
  { key: "policy", label: "Policy", sort: "policy" },
  { key: "series", label: "Series · step", sort: "series" },
  { key: "tags", label: "Tags", sort: "tags" },
  { key: "labels", label: "Labels", sort: null },
  { key: "tokens", label: "Tokens", sort: "tokens" },
  { key: "events", label: "Events", sort: "events" },
  { key: "balance", label: "Mean balance", sort: "balance" },
  { key: "entropy", label: "Mean collab. entropy", sort: "entropy" },
  { key: "created", label: "Created", sort: "created" },
] as const satisfies readonly { key: string; label: string; sort: RunSort | null }[];
export type RunColumn = (typeof RUN_COLUMNS)[number]["key"];
const COLUMN_KEYS = RUN_COLUMNS.map((c) => c.key) as [RunColumn, ...RunColumn[]];
/** Shown when the URL picks none (every column but labels). */
export const DEFAULT_COLUMNS: RunColumn[] = COLUMN_KEYS.filter((k) => k !== "labels");

export const RUN_GROUPS = ["model", "series", "tag"] as const;
export type RunGroup = (typeof RUN_GROUPS)[number];
export const PAGE_SIZES = [25, 50, 100, 200] as const;

const text = (max: number) => z.string().max(max).optional().catch(undefined);

/**
 * V1's state in the URL (`/?q=&model=&tag=&policy=&series=&sort=&order=&page=&per=&cols=&group=`):
 * the list filters and sort as GET /api/runs takes them (within its length bounds); page (1-based) and per make its
 * limit and offset; cols and group are how the page is drawn. A bad value falls back to its default.
 */
export const runsIndexStateSchema = z.object({
  q: text(200),
  model: text(200),
  tag: text(64),
  policy: text(64),
  series: text(200),
  sort: z.enum(RUN_SORTS).optional().catch(undefined),
  order: z.enum(["asc", "desc"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  per: z.coerce
    .number()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
    .catch(50),
  cols: z
    .string()
    .transform((v) => COLUMN_KEYS.filter((k) => v.split(",").includes(k)))
    .pipe(z.array(z.enum(COLUMN_KEYS)).min(1))
    .catch(DEFAULT_COLUMNS),
  group: z.enum(RUN_GROUPS).optional().catch(undefined),
});
export type RunsIndexState = z.output<typeof runsIndexStateSchema>;

export function parseRunsIndexState(search: URLSearchParams): RunsIndexState {
  const raw: Record<string, string> = {};
  for (const k of Object.keys(runsIndexStateSchema.shape)) {
    const v = search.get(k);
    if (v !== null && v !== "") raw[k] = v;
  }
  return runsIndexStateSchema.parse(raw);
}

/** The URL of a state: defaults left out, so the plain index is "/". */
export function runsIndexHref(s: RunsIndexState): string {
  const q = new URLSearchParams();
  for (const k of ["q", "model", "tag", "policy", "series"] as const) if (s[k]) q.set(k, s[k]!);
  const sort = s.sort ?? "created";
  const order = s.order ?? defaultOrder(sort);
  if (sort !== "created" || order !== "desc") {
    q.set("sort", sort);
    q.set("order", order);
  }
  if (s.page > 1) q.set("page", String(s.page));
  if (s.per !== 50) q.set("per", String(s.per));
  if (s.cols.join(",") !== DEFAULT_COLUMNS.join(",")) q.set("cols", s.cols.join(","));
  if (s.group) q.set("group", s.group);
  return q.size ? `/?${q}` : "/";
}

/** The state sorted by `key`: a second click on the sorted column reverses it; back to page 1. */
export function sortedBy(s: RunsIndexState, key: RunSort): RunsIndexState {
  const current = s.sort ?? "created";
  const order = current === key ? ((s.order ?? defaultOrder(current)) === "asc" ? "desc" : "asc") : defaultOrder(key);
  return { ...s, sort: key, order, page: 1 };
}
