import Link from "next/link";
import { headers } from "next/headers";
import { describeMissing } from "@/lib/runs/describe-missing";

/** Every 404 page: what was asked for, why it is not there, and where to go instead. */
export default async function NotFound() {
  const missing = await describeMissing((await headers()).get("x-pathname") ?? "");
  return (
    <section className="mx-auto flex max-w-xl flex-col gap-3 py-12" data-testid="not-found">
      <p className="text-sm text-zinc-500">404</p>
      <h1 className="text-2xl font-semibold">{missing.title}</h1>
      <p>{missing.detail}</p>
      <ul className="flex flex-wrap gap-4 text-sm">
        {missing.links.map((l) => (
          <li key={l.href}>
            <Link href={l.href} className="text-indigo-600 underline">
              {l.label}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
