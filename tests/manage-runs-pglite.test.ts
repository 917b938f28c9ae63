import { defineManageSuite } from "./manage-runs.suite";

defineManageSuite("pglite");
