import { BALANCE_SCALARS, type BalanceMetrics } from "@/lib/analysis/balance";
import { BALANCE_DEFINITIONS, DEAD_DEFINITION, HOT_DEFINITION } from "@/lib/analysis/metric-definitions";
import { ExpertIds } from "@/components/experts/expert-ids";
import { DefinitionNote } from "@/components/ui/definition-note";
import { formatValue } from "@/components/viz/format";

/** One layer's A1 metrics, each with its definition. */
export function LayerBalance({
  balance,
  tokens,
  runId,
  layer,
}: {
  balance: BalanceMetrics;
  tokens: number;
  runId: string;
  layer: number;
}) {
  return (
    <section aria-label="layer balance" className="text-sm">
      <h2 className="mb-2 font-semibold">Balance of this layer</h2>
      <dl className="grid grid-cols-[auto_auto] gap-x-4 gap-y-1">
        <dt>tokens</dt>
        <dd className="num text-right" data-testid="layer-tokens">
          {formatValue(tokens)}
        </dd>
        {BALANCE_SCALARS.map((k) => (
          <div key={k} className="contents">
            <dt>
              {BALANCE_DEFINITIONS[k].label}
              <DefinitionNote text={BALANCE_DEFINITIONS[k].definition} />
            </dt>
            <dd className="num text-right">{formatValue(balance[k])}</dd>
          </div>
        ))}
        <dt>
          hot experts
          <DefinitionNote text={HOT_DEFINITION} />
        </dt>
        <dd className="text-right">
          <ExpertIds runId={runId} layer={layer} experts={balance.hot} testId="hot-experts" />
        </dd>
        <dt>
          dead experts
          <DefinitionNote text={DEAD_DEFINITION} />
        </dt>
        <dd className="text-right">
          <ExpertIds runId={runId} layer={layer} experts={balance.dead} testId="dead-experts" />
        </dd>
      </dl>
    </section>
  );
}
