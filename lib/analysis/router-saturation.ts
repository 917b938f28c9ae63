import { meanOf } from "./stats";

/**
 * A12 router saturation (OLMoE paper, PRODUCT.md §4): for checkpoint c and layer l, over the tokens
 * routed at both c and the final checkpoint F (paired by sequence, position and layer, as the A11
 * paired join pairs them), mean_x |K_x^(c) ∩ K_x^(F)| / k. It is 1 at c = F by construction; a
 * layer with no paired token has no saturation (null), and the mean is over the layers that have one.
 */
export function routerSaturation(paired: { matched: ArrayLike<number>; overlap: ArrayLike<number> }, k: number) {
  const perLayer = Array.from(paired.matched, (m, l) => (m > 0 ? paired.overlap[l] / (m * k) : null));
  return { perLayer, mean: meanOf(perLayer) };
}

export const SATURATION_DEFINITION =
  "Router saturation (OLMoE): for checkpoint t and layer l, over the tokens routed at both t and the final checkpoint F (paired by sequence, position and layer), the mean share of F's top-k experts already in t's top-k: mean |K(t) ∩ K(F)| / k. It is 1 at the final step.";
