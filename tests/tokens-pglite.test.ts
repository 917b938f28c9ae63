import { tokenSuite } from "./tokens.suite";

tokenSuite("pglite");
