/** The SQLSTATE of a Postgres error, looked for through the causes drizzle and the drivers wrap it in. */
export function postgresErrorCode(e: unknown): string | undefined {
  for (
    let x = e as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    x && typeof x === "object" && depth < 4;
    x = x.cause as typeof x, depth++
  )
    if (typeof x.code === "string" && /^[0-9A-Z]{5}$/.test(x.code)) return x.code;
  return undefined;
}
