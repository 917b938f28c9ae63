import { expertHue } from "./token-colors";

/** A token's text with its whitespace visible: a leading space as ␣, newline as ↵, tab as ⇥; #id without a vocabulary entry. */
export function visibleToken(text: string | null, tokenId: number | null): string {
  if (text === null) return tokenId === null ? "?" : `#${tokenId}`;
  if (text === "") return "∅";
  return text.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥");
}

/** An occurrence in its context: the routed token highlighted (and its gate weight), the rest plain text. */
export function ContextLine({
  context,
  pos,
  weight,
  expert,
}: {
  context: { pos: number; tokenId: number; text: string | null }[];
  pos: number;
  weight: number | null;
  expert: number;
}) {
  return (
    <span className="font-mono text-xs whitespace-pre-wrap">
      {context.map((t) =>
        t.pos === pos ? (
          <mark
            key={t.pos}
            className="rounded px-0.5 text-black"
            style={{ background: `hsl(${expertHue(expert)} 80% 75%)` }}
            title={`position ${t.pos}, token #${t.tokenId}${weight === null ? "" : `, gate weight ${weight.toFixed(3)}`}`}
          >
            {visibleToken(t.text, t.tokenId)}
            {weight === null ? null : <sub className="ml-0.5 text-[10px]">{weight.toFixed(2)}</sub>}
          </mark>
        ) : (
          <span key={t.pos} className="text-zinc-600 dark:text-zinc-300">
            {t.text === null ? `#${t.tokenId} ` : t.text.replace(/\n/g, "↵")}
          </span>
        ),
      )}
    </span>
  );
}
