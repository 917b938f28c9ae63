/** Child process for tests/server-start.test.ts: the server's start-up, as instrumentation.ts runs it. */
import { startServer } from "@/lib/server/start-server";

startServer().then(() => {
  process.stdout.write("started\n");
  process.exit(0);
});
