import { tokenSuite } from "./tokens.suite";

tokenSuite("postgres");
