/**
 * A8 domain specialization (PRODUCT.md §4). From per-label loads of one layer (label x E):
 * p(label | e) = load_label[e] / Σ_label load_label[e]; the overall mix π(label) = Σ_e load_label[e]
 * / Σ all; each expert's specialization is KL(p(· | e) ‖ π) in nats (0 = follows the mix). The
 * OLMoE-style view is each label's load share per expert, load_label[e] / Σ_e load_label[e], beside
 * the uniform share 1 / E.
 */
export function labelSpecialization(
  labels: readonly string[],
  loadByLabel: readonly ArrayLike<number>[],
  experts: number,
) {
  const perLabelTotal = loadByLabel.map((row) => sumOf(row, experts));
  const grand = perLabelTotal.reduce((s, x) => s + x, 0);
  const mix = perLabelTotal.map((x) => (grand > 0 ? x / grand : 0));
  const perExpert = Array.from({ length: experts }, (_, e) => {
    const col = loadByLabel.map((row) => row[e]);
    const n = col.reduce((s, x) => s + x, 0);
    const given = col.map((x) => (n > 0 ? x / n : 0));
    let kl = 0;
    given.forEach((p, l) => {
      if (p > 0) kl += p * Math.log(p / mix[l]);
    });
    return {
      expert: e,
      load: n,
      labelMix: Object.fromEntries(labels.map((name, l) => [name, given[l]])),
      kl: n > 0 ? kl : null,
    };
  });
  const shares = Object.fromEntries(
    labels.map((name, l) => [
      name,
      Array.from({ length: experts }, (_, e) => (perLabelTotal[l] > 0 ? loadByLabel[l][e] / perLabelTotal[l] : 0)),
    ]),
  );
  return {
    mix: Object.fromEntries(labels.map((name, l) => [name, mix[l]])),
    perExpert,
    shares,
    uniformShare: 1 / experts,
  };
}

function sumOf(row: ArrayLike<number>, n: number) {
  let s = 0;
  for (let i = 0; i < n; i++) s += row[i];
  return s;
}
