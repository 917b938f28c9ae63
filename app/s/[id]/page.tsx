import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { getShare } from "@/lib/db/queries/shares";
import { pageViewer } from "@/lib/auth/page-viewer";
import { toSearch } from "@/lib/views/live-view";
import { views } from "@/lib/views/registry";
import { VIEW_COMPONENTS } from "@/components/views/view-components";
import { readShare, SnapshotView } from "@/components/views/view-page";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

async function loadShare(id: string) {
  const share = await getShare(await getDb(), id, await pageViewer());
  const read = share && readShare(views, share);
  return share && read ? { share, ...read } : null;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const s = await loadShare((await params).id);
  return { title: s ? `${s.pinned.run.name} · snapshot` : "Share not found" };
}

/**
 * V12: a share link: what was pinned, never recomputed, drawn by the view's own component (the
 * view registry says which). It is as visible as the runs it shows (public and unlisted runs:
 * anyone with the link; a private run: its owner and admin tokens).
 */
export default async function SharePage({ params, searchParams }: Props) {
  const s = await loadShare((await params).id);
  if (!s) notFound();
  return (
    <SnapshotView
      component={VIEW_COMPONENTS[s.view.kind]}
      share={s.share}
      view={s.view}
      pinned={s.pinned}
      requestSearch={toSearch(await searchParams)}
    />
  );
}
