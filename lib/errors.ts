/**
 * The errors of MoE Atlas, in a leaf module (it imports nothing), so parsers and analyses can throw
 * them without depending on the HTTP layer.
 *
 * - `DomainError`: what a parser, importer or database query finds wrong, said as a kind (invalid input, too
 *   large, a conflict...) with a code, a message and a `where`. It carries no HTTP status: the edge
 *   (`errorResponse` in lib/api/handler.ts) maps the kind to one.
 * - `ApiError`: an error whose status its thrower chose (use cases and auth next to the edge).
 *
 * Both answer with the one error body of PRODUCT.md §9: `{"error": {"code", "message", "where"}}`.
 * Only these messages reach clients; anything else becomes an opaque, logged 500.
 */

/** What kind of wrong a domain error is; lib/api/handler.ts maps each to one HTTP status. */
export type ErrorKind = "invalid" | "too_large" | "conflict" | "not_found";

export interface ErrorBody {
  error: { code: string; message: string; where?: string };
}

function body(code: string, message: string, where: string | undefined): ErrorBody {
  return { error: { code, message, ...(where ? { where } : {}) } };
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    /** Where the problem is: a field, a line and byte offset, an array, a layer... */
    readonly where?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }

  toBody(): ErrorBody {
    return body(this.code, this.message, this.where);
  }
}

/** Input that does not say what it must (a field, a line, a header). */
export const invalid = (code: string, message: string, where?: string) =>
  new DomainError("invalid", code, message, where);
/** Input beyond a configured limit (bytes of an upload, of a line, of a document). */
export const tooLarge = (code: string, message: string, where?: string) =>
  new DomainError("too_large", code, message, where);
/** Input that clashes with what is stored (the same bytes twice, an upload still streaming). */
export const conflict = (code: string, message: string, where?: string) =>
  new DomainError("conflict", code, message, where);
/** Something named that is not there (a run deleted meanwhile, an upload of another run). */
export const missing = (code: string, message: string, where?: string) =>
  new DomainError("not_found", code, message, where);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Where the problem is: a field, a line and byte offset, an array, a layer... */
    readonly where?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toBody(): ErrorBody {
    return body(this.code, this.message, this.where);
  }
}

export const badRequest = (code: string, message: string, where?: string) => new ApiError(400, code, message, where);
export const notFound = (what: string, where?: string) => new ApiError(404, "not_found", `${what} not found`, where);
