import { eq } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { Db } from "../client";
import { shares } from "../schema";

export interface NewShare {
  path: string;
  runId: string;
  state: unknown;
  snapshot: unknown;
}

export async function createShare(db: Db, input: NewShare) {
  const [row] = await db
    .insert(shares)
    .values({ id: newId(10), ...input })
    .returning();
  return row;
}

export async function getShare(db: Db, id: string) {
  const [row] = await db.select().from(shares).where(eq(shares.id, id));
  return row;
}
