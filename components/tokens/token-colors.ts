/** Categorical colours for expert ids (any E): hues spaced by the golden angle, so neighbours differ. */
export function expertHue(e: number): number {
  return Math.round((e * 137.508) % 360);
}

export const expertColor = (e: number, lightness = 62) => `hsl(${expertHue(e)} 70% ${lightness}%)`;
