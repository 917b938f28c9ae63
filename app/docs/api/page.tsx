import type { Metadata } from "next";
import { openApiDocument } from "@/lib/api/openapi";
import type { OpenApiDoc } from "@/components/docs/openapi-model";
import { OpenApiView } from "@/components/docs/openapi-view";

export const metadata: Metadata = { title: "API" };
// Rendered per request from the same object /api/openapi.json serves: one description, no copy.
export const dynamic = "force-dynamic";

/** The HTTP API, readable: every operation of the OpenAPI document, grouped by resource. */
export default function ApiDocsPage() {
  return <OpenApiView doc={openApiDocument as unknown as OpenApiDoc} />;
}
