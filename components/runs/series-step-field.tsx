const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

/**
 * Series and step, for a run that is one checkpoint of a training series: both or neither (the
 * server says which is missing, and refuses a step another run of the series holds).
 */
export function SeriesStepField({ series, step }: { series?: string | null; step?: number | null }) {
  return (
    <fieldset className="flex flex-wrap items-end gap-2 text-sm">
      <legend className="mb-1">Series (training checkpoints), optional</legend>
      <label className="flex flex-col">
        series
        <input
          name="series"
          aria-label="series"
          maxLength={200}
          defaultValue={series ?? ""}
          placeholder="e.g. olmoe-pretrain"
          className={input}
        />
      </label>
      <label className="flex flex-col">
        step
        <input
          name="step"
          aria-label="step"
          type="number"
          min={0}
          step={1}
          defaultValue={step ?? ""}
          placeholder="e.g. 10000"
          className={`${input} w-32`}
        />
      </label>
    </fieldset>
  );
}

/** The form's series and step as the API takes them: null for an empty field (a patch then takes the run out). */
export function seriesStepOf(form: FormData): { series: string | null; step: number | null } {
  const series = String(form.get("series") ?? "").trim();
  const step = String(form.get("step") ?? "").trim();
  return { series: series || null, step: step === "" ? null : Number(step) };
}
