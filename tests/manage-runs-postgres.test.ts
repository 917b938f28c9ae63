import { defineManageSuite } from "./manage-runs.suite";

defineManageSuite("postgres");
