/**
 * Manage API tokens: writes need one as soon as the first exists.
 *   npm run token -- create <name> [--admin]   prints the token once (the first token is always an admin)
 *   npm run token -- list
 *   npm run token -- revoke <id>
 * Opens the same database as the server (DATABASE_URL, or the PGlite folder, which only one
 * process may hold: stop the dashboard first when using the embedded database).
 */
import { openDatabase } from "@/lib/db/client";
import { createApiToken, deleteApiToken, listApiTokens } from "@/lib/db/queries/api-tokens";

async function main() {
  const args = process.argv.slice(2);
  const admin = args.includes("--admin");
  const [cmd, arg] = args.filter((a) => a !== "--admin");
  const database = await openDatabase();
  try {
    if (cmd === "create") {
      const { token, row } = await createApiToken(database.db, arg ?? "default", { admin });
      console.log(
        `created ${row.admin ? "admin " : ""}token ${row.id} (${row.name}); writes now require a token. Shown once:\n${token}`,
      );
    } else if (cmd === "list") {
      for (const t of await listApiTokens(database.db)) {
        console.log(
          `${t.id}\t${t.name}${t.admin ? " (admin)" : ""}\t${t.prefix}…\tcreated ${t.createdAt.toISOString()}\tlast used ${t.lastUsedAt?.toISOString() ?? "never"}`,
        );
      }
    } else if (cmd === "revoke" && arg) {
      if (!(await deleteApiToken(database.db, arg))) throw new Error(`no token with id ${arg}`);
      console.log(`revoked ${arg}`);
    } else {
      console.error("usage: npm run token -- create <name> [--admin] | list | revoke <id>");
      process.exitCode = 2;
    }
  } finally {
    await database.close();
  }
}

main().catch((e) => {
  console.error(`token: ${(e as Error).message}`);
  process.exit(1);
});
