import { views, type RecognizedView, type ViewKind } from "@/lib/views/registry";

/**
 * The views a share link can pin, recognized from their path by the view registry
 * (lib/views/registry.ts: one entry per view, with its path pattern). Every view's state lives in
 * its URL, so path + query string is the whole view.
 */
export type ViewPath = RecognizedView<ViewKind>;

/** Parses "/runs/…?…" (or a full URL of this app); null when it is not a shareable view. */
export function parseViewPath(path: string): ViewPath | null {
  return views.recognize(path);
}
