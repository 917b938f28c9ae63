/**
 * The one error contract (PRODUCT.md §9): `{"error": {"code", "message", "where"}}` with a status.
 * Only ApiError messages reach the client; anything else becomes an opaque, logged 500.
 */
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

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.where ? { where: this.where } : {}) } };
  }
}

export const badRequest = (code: string, message: string, where?: string) => new ApiError(400, code, message, where);
export const notFound = (what: string, where?: string) => new ApiError(404, "not_found", `${what} not found`, where);
