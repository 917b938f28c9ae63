import type { ViewAnswers } from "./registry";

/** One answer as the browser receives it: under its query key, through a JSON round trip (exactly what the API would send). */
export interface ComputedQuery {
  key: readonly unknown[];
  data: unknown;
}

const json = <T>(x: T): T => (x === undefined ? x : JSON.parse(JSON.stringify(x)));

/**
 * Computes a view's answers: all of them (a share pins every answer the view draws), or those its
 * live page prefetches. One at a time, as the view would ask for them (one database connection).
 */
export async function computeView(answers: ViewAnswers, which: "all" | "prefetch") {
  const queries: ComputedQuery[] = [];
  for (const q of answers.queries) {
    if (which === "prefetch" && q.live && q.prefetch !== false)
      queries.push({ key: q.live.key, data: await q.live.answer() });
    else if (which === "all" || q.prefetch !== false) queries.push({ key: q.key, data: json(await q.answer()) });
  }
  const props: Record<string, unknown> = {};
  for (const [name, answer] of Object.entries(answers.props ?? {})) props[name] = json(await answer());
  return { queries, props };
}
