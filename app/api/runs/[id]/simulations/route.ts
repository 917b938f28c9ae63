import { z } from "zod";
import { apiHandler, readJson } from "@/lib/api/handler";
import { runSimulation } from "@/lib/runs/run-simulation";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

const simulationBodySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("c2r"), topT: z.number().int().min(1).max(4096), collaboratorsFrom: z.string().optional(), reportDevices: z.number().int().min(1).optional() }),
  z.object({ kind: z.literal("device-limited"), devices: z.number().int().min(1), maxDevices: z.number().int().min(1), reportDevices: z.number().int().min(1).optional() }),
  z.object({ kind: z.literal("drop"), experts: z.array(z.array(z.number().int())), reportDevices: z.number().int().min(1).optional() }),
]);

/** Replays the run's logits under a routing policy; a computation, not a write. */
export const POST = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const body = simulationBodySchema.parse(await readJson(req));
  const E = run.model.config.experts;
  const devices = body.reportDevices ?? (body.kind === "device-limited" ? body.devices : E % 4 === 0 ? 4 : 1);
  const request =
    body.kind === "c2r"
      ? { kind: "c2r" as const, topT: body.topT, collaboratorsFrom: body.collaboratorsFrom ? await requireRun(database.db, body.collaboratorsFrom, await viewer(), "collaboratorsFrom") : undefined }
      : body;
  return runSimulation(database.db, run, request, devices);
});
