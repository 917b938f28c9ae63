/** An error from the API's error contract, with its code and place, for the UI to show. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly where?: string,
  ) {
    super(message);
  }
}

export async function apiFetch<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = body?.error;
    throw new ApiRequestError(
      res.status,
      e?.code ?? "http_error",
      e?.message ?? `${res.status} ${res.statusText}`,
      e?.where,
    );
  }
  return body as T;
}
