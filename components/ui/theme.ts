/** The color-theme cookie: "light" or "dark"; absent means follow the system. */
export const THEME_COOKIE = "atlas_theme";
