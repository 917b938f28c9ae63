/**
 * ApiError lives in lib/errors.ts (a leaf module, so parsers need not import the HTTP layer). This
 * re-export only keeps imports written against the old path compiling while branches merge.
 * @deprecated import from "@/lib/errors".
 */
export { ApiError, badRequest, notFound } from "@/lib/errors";
