import type { Metadata } from "next";
import Link from "next/link";
import { cookies, headers } from "next/headers";
import type { ReactNode } from "react";
import { pageViewer } from "@/lib/auth/page-viewer";
import { SessionMenu } from "@/components/ui/session-menu";
import { THEME_COOKIE } from "@/components/ui/theme";
import { ThemeToggle } from "@/components/ui/theme-toggle";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "MoE Atlas", template: "%s · MoE Atlas" },
  description: "Mixture-of-Experts routing analysis: load, balance, co-activation and more, from real traces.",
};

// With no stored choice, follow the system before first paint (no flash of the wrong theme).
const SYSTEM_THEME = `if(!document.documentElement.classList.contains("light")&&matchMedia("(prefers-color-scheme: dark)").matches)document.documentElement.classList.add("dark")`;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const stored = (await cookies()).get(THEME_COOKIE)?.value;
  const theme = stored === "dark" || stored === "light" ? stored : "system";
  const viewer = await pageViewer();
  // proxy.ts's per-request nonce: the page's Content-Security-Policy runs only scripts that carry it.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" className={theme === "system" ? undefined : theme} suppressHydrationWarning>
      <head>
        {theme === "system" ? <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SYSTEM_THEME }} /> : null}
      </head>
      <body className="min-h-screen bg-zinc-50 text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
        <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <nav className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-6 py-3" aria-label="main">
            <Link href="/" className="text-lg font-bold tracking-tight">
              MoE Atlas
            </Link>
            <Link href="/" className="text-sm hover:underline">
              Runs
            </Link>
            <Link href="/runs/new" className="text-sm hover:underline">
              New run
            </Link>
            <Link href="/compare" className="text-sm hover:underline">
              Compare
            </Link>
            <Link href="/pruning" className="text-sm hover:underline">
              Pruning
            </Link>
            <Link href="/quantization" className="text-sm hover:underline">
              Quantization
            </Link>
            <Link href="/docs/api" className="text-sm hover:underline">
              API
            </Link>
            <Link href="/docs/cli" className="text-sm hover:underline">
              CLI
            </Link>
            <span className="ml-auto flex items-center gap-4">
              <SessionMenu open={viewer.open} tokenName={viewer.tokenName} />
              <ThemeToggle initial={theme} />
            </span>
          </nav>
        </header>
        <Providers>
          <main className="mx-auto max-w-7xl px-6 py-6">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
