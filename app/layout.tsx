import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "MoE Atlas", template: "%s · MoE Atlas" },
  description: "Mixture-of-Experts routing analysis: load, balance, co-activation and more, from real traces.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-zinc-50 text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
        <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <nav className="mx-auto flex max-w-7xl items-center gap-6 px-6 py-3" aria-label="main">
            <Link href="/" className="text-lg font-bold tracking-tight">
              MoE Atlas
            </Link>
            <Link href="/" className="text-sm hover:underline">
              Runs
            </Link>
            <Link href="/runs/new" className="text-sm hover:underline">
              New run
            </Link>
            <a href="/api/openapi.json" className="text-sm hover:underline">
              API
            </a>
          </nav>
        </header>
        <Providers>
          <main className="mx-auto max-w-7xl px-6 py-6">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
