import { z } from "zod";

/** The specialization view's state in the URL: the layer. */
export const specializationViewStateSchema = z.object({ layer: z.coerce.number().int().min(0).catch(0) });
export type SpecializationViewState = z.infer<typeof specializationViewStateSchema>;

export const parseSpecializationViewState = (search: URLSearchParams): SpecializationViewState =>
  specializationViewStateSchema.parse({ layer: search.get("layer") ?? undefined });
export const specializationHref = (runId: string, s: SpecializationViewState) =>
  `/runs/${runId}/specialization?layer=${s.layer}`;
