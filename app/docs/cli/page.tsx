import type { Metadata } from "next";
import { USAGE } from "@/bin/usage.mjs";
import { parseUsage } from "@/components/docs/cli-usage";
import { CliView } from "@/components/docs/cli-view";

export const metadata: Metadata = { title: "CLI" };

/** The moe-atlas command line, from the usage text the CLI prints (bin/usage.mjs). */
export default function CliDocsPage() {
  return <CliView usage={parseUsage(USAGE)} text={USAGE} />;
}
