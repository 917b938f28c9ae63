import { pageRunOrNull } from "@/lib/auth/page-viewer";

export interface MissingPage {
  title: string;
  detail: string;
  links: { href: string; label: string }[];
}

/**
 * What a 404 is about, from the path alone (Next renders not-found pages without the route's
 * params): a layer or expert outside the run's model, a run that does not exist or is private, or
 * a share. Visibility holds here too: a private run is "not found", never described.
 */
export async function describeMissing(path: string): Promise<MissingPage> {
  const home = { href: "/", label: "All runs" };
  const run = /^\/runs\/([^/]+)(?:\/(layers|experts)\/([^/]+))?/.exec(path);
  if (run && run[1] !== "new") {
    const found = await pageRunOrNull(decodeURIComponent(run[1]));
    if (!found) {
      return {
        title: "Run not found",
        detail: `There is no run ${decodeURIComponent(run[1])}, or it is private and this session may not read it (sign in with a token that may).`,
        links: [home],
      };
    }
    const { layers, experts, name: model } = found.model.config;
    const back = { href: `/runs/${found.id}`, label: `Run “${found.name}”` };
    const what = run[3] === undefined ? null : decodeURIComponent(run[3]);
    if (run[2] === "layers") {
      return {
        title: `No layer ${what}`,
        detail: `${model} has ${layers} MoE layers, numbered 0 to ${layers - 1}; “${what}” is not one of them.`,
        links: [
          { href: `/runs/${found.id}/layers/0`, label: "Layer 0" },
          { href: `/runs/${found.id}/layers/${layers - 1}`, label: `Layer ${layers - 1} (the last)` },
          back,
        ],
      };
    }
    if (run[2] === "experts") {
      return {
        title: `No expert ${what}`,
        detail: `${model} has ${experts} routed experts per layer, numbered 0 to ${experts - 1}; “${what}” is not one of them.`,
        links: [
          { href: `/runs/${found.id}/experts/0`, label: "Expert 0" },
          { href: `/runs/${found.id}/experts/${experts - 1}`, label: `Expert ${experts - 1} (the last)` },
          back,
        ],
      };
    }
    return { title: "Page not found", detail: `The run “${found.name}” has no page at ${path}.`, links: [back, home] };
  }
  if (path.startsWith("/s/")) {
    return {
      title: "Share not found",
      detail: "There is no such share link, or it shows a run this session may not read.",
      links: [home],
    };
  }
  return {
    title: "Page not found",
    detail: path ? `Nothing lives at ${path}.` : "Nothing lives at this address.",
    links: [home],
  };
}
