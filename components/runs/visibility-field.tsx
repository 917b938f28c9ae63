const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

/** Who sees a run (lib/auth/viewer.ts canRead): posted as `visibility`. */
export function VisibilityField({ defaultValue = "public" }: { defaultValue?: string }) {
  return (
    <label className="flex flex-col text-sm">
      Visibility
      <select name="visibility" aria-label="visibility" defaultValue={defaultValue} className={`${input} self-start`}>
        <option value="public">public: listed, readable by anyone</option>
        <option value="unlisted">unlisted: readable by anyone with the link, not listed</option>
        <option value="private">private: only its owner&apos;s token and admins</option>
      </select>
    </label>
  );
}
