import { defineIngestSuite } from "./ingest.suite";

// The same path on the embedded database: the default for `npm run up`.
defineIngestSuite("pglite");
