"use client";

import { useState } from "react";
import { THEME_COOKIE } from "./theme";
type Theme = "system" | "light" | "dark";
const NEXT: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };

/** Cycles system → light → dark; the choice is a cookie so the server renders the right class. */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  const apply = (t: Theme) => {
    setTheme(t);
    document.cookie =
      t === "system"
        ? `${THEME_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`
        : `${THEME_COOKIE}=${t}; Path=/; Max-Age=31536000; SameSite=Lax`;
    const dark = t === "dark" || (t === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.classList.toggle("dark", dark);
  };
  return (
    <button
      type="button"
      onClick={() => apply(NEXT[theme])}
      aria-label={`color theme: ${theme} (click for ${NEXT[theme]})`}
      className="rounded border border-zinc-300 px-2 py-0.5 text-xs dark:border-zinc-700"
      data-testid="theme-toggle"
    >
      {theme === "system" ? "◐ system" : theme === "light" ? "☀ light" : "☾ dark"}
    </button>
  );
}
