import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationNodeDatum } from "d3";

export interface GraphNode extends SimulationNodeDatum {
  id: number;
  r: number;
}
export interface GraphLink {
  source: number;
  target: number;
  weight: number;
}

/**
 * A static force layout, run to rest before drawing: d3-force seeds its own random source, so the
 * same graph always lands in the same place (a shared link shows the same picture).
 */
export function forceLayout(nodes: GraphNode[], links: GraphLink[], width: number, height: number, ticks = 300) {
  const maxW = Math.max(1e-9, ...links.map((l) => l.weight));
  const sim = forceSimulation(nodes)
    .force(
      "link",
      forceLink<GraphNode, { source: number | GraphNode; target: number | GraphNode; weight: number }>(
        links.map((l) => ({ ...l })),
      )
        .id((d) => d.id)
        .distance(60)
        .strength((l) => 0.1 + 0.6 * (l.weight / maxW)),
    )
    // Charge scaled to the frame so 8 and 256 experts both fill it; x/y pull keeps the unlinked in view.
    .force("charge", forceManyBody().strength(-Math.min(120, (width * height) / (nodes.length * 60))))
    .force("x", forceX(width / 2).strength(0.06))
    .force("y", forceY(height / 2).strength(0.06))
    .force("collide", forceCollide<GraphNode>((d) => d.r + 2).iterations(2))
    .stop();
  for (let i = 0; i < ticks; i++) sim.tick();
  // Keep everything inside the frame.
  for (const n of nodes) {
    n.x = Math.max(n.r + 2, Math.min(width - n.r - 2, n.x ?? width / 2));
    n.y = Math.max(n.r + 2, Math.min(height - n.r - 2, n.y ?? height / 2));
  }
  return nodes;
}
