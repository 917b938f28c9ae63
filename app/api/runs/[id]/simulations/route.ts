import { runSimulation as simulation } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { runSimulation } from "@/lib/runs/run-simulation";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

/** Replays the run's logits under a routing policy; a computation, not a write. */
export const POST = apiHandler(simulation, async ({ params, body, database, viewer }) => {
  const who = await viewer();
  const run = await requireRun(database.db, params.id, who);
  const E = run.model.config.experts;
  // Devices to report C_T on: the request's, else device-limited's own, else 4 when they divide E.
  const devices = body.reportDevices ?? (body.kind === "device-limited" ? body.devices : E % 4 === 0 ? 4 : 1);
  const request =
    body.kind === "c2r"
      ? {
          kind: "c2r" as const,
          topT: body.topT,
          collaboratorsFrom: body.collaboratorsFrom
            ? await requireRun(database.db, body.collaboratorsFrom, who, "collaboratorsFrom")
            : undefined,
        }
      : body;
  return runSimulation(database.db, run, request, devices);
});
