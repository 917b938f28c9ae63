/** What the runs index sorts by (the request schema, the query and the index page share it). */
export const RUN_SORTS = ["created", "name", "events", "tokens", "policy"] as const;
export type RunSort = (typeof RUN_SORTS)[number];
