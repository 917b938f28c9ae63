/**
 * Runs once when the Next.js server starts: open the database (applying migrations), drop
 * uploads that a previous process left half-done, and load the demo runs into an empty database.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("@/lib/server/start-server");
  await startServer();
}
