import { describe, expect, it } from "vitest";
import { errorResponse } from "@/lib/api/handler";
import { ApiError, DomainError, invalid, tooLarge, type ErrorKind } from "./errors";

describe("domain errors are answered by the edge", () => {
  it.each([
    ["invalid", 400],
    ["not_found", 404],
    ["conflict", 409],
    ["too_large", 413],
  ] as [ErrorKind, number][])("kind %s is status %i, with the one error body", async (kind, status) => {
    const res = errorResponse(new DomainError(kind, "some_code", "what is wrong", "line 3, field layer"));
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({
      error: { code: "some_code", message: "what is wrong", where: "line 3, field layer" },
    });
  });

  it("leaves out an absent where, as ApiError does", async () => {
    const a = await errorResponse(invalid("bad", "no place")).json();
    const b = await errorResponse(new ApiError(400, "bad", "no place")).json();
    expect(a).toEqual({ error: { code: "bad", message: "no place" } });
    expect(a).toEqual(b);
  });

  it("keeps an ApiError's own status", () => {
    expect(errorResponse(new ApiError(422, "no_logits", "needs logits")).status).toBe(422);
    expect(errorResponse(tooLarge("upload_too_large", "too big", "byte 10")).status).toBe(413);
  });
});
