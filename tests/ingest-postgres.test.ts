import { defineIngestSuite } from "./ingest.suite";

defineIngestSuite("postgres");
