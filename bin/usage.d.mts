/** The `moe-atlas --help` text (bin/usage.mjs). */
export declare const USAGE: string;
