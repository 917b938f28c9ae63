import type { ReactNode } from "react";
import {
  groupOperations,
  namedSchemas,
  objectProperties,
  refName,
  schemaNotes,
  typeLabel,
  type Body,
  type JsonObject,
  type OpenApiDoc,
  type Operation,
  type Response,
} from "./openapi-model";

/** Descriptions are CommonMark; only `inline code` is marked up here, the rest reads as plain text. */
function Prose({ text }: { text: string }) {
  return (
    <>
      {text.split(/`([^`]+)`/).map((part, i) =>
        i % 2 ? (
          <code key={i} className="rounded bg-zinc-100 px-1 font-mono text-[0.9em] dark:bg-zinc-800">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

const METHOD_COLORS: Record<string, string> = {
  GET: "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100",
  POST: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  PATCH: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  PUT: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  DELETE: "bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100",
};

/** The API page: every operation of an OpenAPI 3 document, grouped by resource, then its named schemas. */
export function OpenApiView({ doc }: { doc: OpenApiDoc }) {
  const groups = groupOperations(doc);
  const schemas = namedSchemas(doc);
  return (
    <div className="flex flex-col gap-8" data-testid="api-docs">
      <header className="flex flex-col gap-2">
        <h1 className="text-2xl font-bold">
          {doc.info?.title ?? "API"}{" "}
          <span className="text-base font-normal text-zinc-500">version {doc.info?.version ?? "?"}</span>
        </h1>
        {doc.info?.description ? (
          <p className="max-w-4xl text-sm">
            <Prose text={doc.info.description} />
          </p>
        ) : null}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Drawn from the OpenAPI {doc.openapi} document the server serves at{" "}
          <a className="text-indigo-600 underline" href="/api/openapi.json">
            /api/openapi.json
          </a>{" "}
          (the same object, read when this page is requested). Command line:{" "}
          <a className="text-indigo-600 underline" href="/docs/cli">
            CLI
          </a>
          .
        </p>
      </header>
      <nav aria-label="operations" className="columns-1 gap-6 text-sm sm:columns-2 lg:columns-3">
        {groups.map((g) => (
          <div key={g.name} className="mb-3 break-inside-avoid">
            <a href={`#resource-${g.name}`} className="font-semibold hover:underline">
              {g.name}
            </a>
            <ul>
              {g.operations.map((op) => (
                <li key={op.id}>
                  <a href={`#${op.id}`} className="font-mono text-xs hover:underline">
                    {op.method} {op.path}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      {groups.map((g) => (
        <section
          key={g.name}
          id={`resource-${g.name}`}
          aria-label={`resource ${g.name}`}
          className="flex flex-col gap-4"
          data-resource={g.name}
        >
          <h2 className="border-b border-zinc-200 pb-1 text-xl font-semibold dark:border-zinc-800">{g.name}</h2>
          {g.description ? (
            <p className="text-sm">
              <Prose text={g.description} />
            </p>
          ) : null}
          {g.operations.map((op) => (
            <OperationView key={op.id} doc={doc} op={op} />
          ))}
        </section>
      ))}
      {schemas.length ? (
        <section aria-label="schemas" className="flex flex-col gap-4">
          <h2 className="border-b border-zinc-200 pb-1 text-xl font-semibold dark:border-zinc-800">Schemas</h2>
          {schemas.map(([name, schema]) => (
            <div key={name} id={`schema-${name}`} className="flex flex-col gap-1" data-schema={name}>
              <h3 className="font-mono font-semibold">{name}</h3>
              <SchemaView doc={doc} schema={schema} expandRef />
            </div>
          ))}
        </section>
      ) : null}
    </div>
  );
}

function OperationView({ doc, op }: { doc: OpenApiDoc; op: Operation }) {
  return (
    <article
      id={op.id}
      className="flex flex-col gap-3 rounded border border-zinc-200 p-4 dark:border-zinc-800"
      data-operation={`${op.method} ${op.path}`}
    >
      <h3 className="flex flex-wrap items-baseline gap-2">
        <span
          className={`rounded px-1.5 py-0.5 font-mono text-xs font-bold ${METHOD_COLORS[op.method] ?? "bg-zinc-100 dark:bg-zinc-800"}`}
        >
          {op.method}
        </span>
        <code className="font-mono text-sm font-semibold">{op.path}</code>
        {op.security.length ? (
          <span className="text-xs text-zinc-500">needs a token ({op.security.join(", ")}) once any exists</span>
        ) : null}
      </h3>
      {op.summary ? (
        <p className="text-sm">
          <Prose text={op.summary} />
        </p>
      ) : null}
      {op.description ? (
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          <Prose text={op.description} />
        </p>
      ) : null}
      {op.parameters.length ? (
        <div>
          <h4 className="text-xs font-semibold uppercase text-zinc-500">Parameters</h4>
          <table
            className="mt-1 text-sm [&_td]:px-2 [&_td]:py-0.5 [&_td]:align-top [&_th]:px-2"
            data-testid="parameters"
          >
            <thead>
              <tr className="text-left text-xs text-zinc-500">
                <th>name</th>
                <th>in</th>
                <th>type</th>
                <th>required</th>
                <th>description</th>
              </tr>
            </thead>
            <tbody>
              {op.parameters.map((p) => {
                const notes = schemaNotes(p.schema);
                return (
                  <tr key={`${p.in}-${p.name}`} data-param={p.name}>
                    <td className="font-mono">{p.name}</td>
                    <td>{p.in}</td>
                    <td className="font-mono text-xs">{typeLabel(doc, p.schema)}</td>
                    <td>{p.required ? "yes" : "no"}</td>
                    <td>
                      {[
                        p.description ?? notes.description,
                        notes.default ? `default ${notes.default}` : "",
                        p.example !== undefined
                          ? `e.g. ${JSON.stringify(p.example)}`
                          : notes.example
                            ? `e.g. ${notes.example}`
                            : "",
                      ]
                        .filter(Boolean)
                        .join("; ") || "—"}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {op.requestBody ? <BodyView doc={doc} body={op.requestBody} /> : null}
      {op.responses.length ? (
        <div>
          <h4 className="text-xs font-semibold uppercase text-zinc-500">Responses</h4>
          {op.responses.map((r) => (
            <ResponseView key={r.status} doc={doc} r={r} />
          ))}
        </div>
      ) : null}
      {op.errors.length ? (
        <div data-testid="errors">
          <h4 className="text-xs font-semibold uppercase text-zinc-500">Errors</h4>
          <ul className="text-sm">
            {errorLines(doc, op.errors).map((line) => (
              <li key={line.statuses.join(",")}>
                {line.statuses.map((status, i) => (
                  <span key={status} data-status={status} className="font-mono font-semibold">
                    {i ? ", " : ""}
                    {status}
                  </span>
                ))}
                {line.description ? ` ${line.description}` : ""}
                {line.content.map((c) => (
                  <span key={c.mediaType} className="text-zinc-500">
                    {" "}
                    ({c.mediaType}: {c.schema ? <TypeRef doc={doc} schema={c.schema} /> : "any"})
                  </span>
                ))}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </article>
  );
}

function BodyView({ doc, body }: { doc: OpenApiDoc; body: Body }) {
  return (
    <div data-testid="request-body">
      <h4 className="text-xs font-semibold uppercase text-zinc-500">
        Request body {body.required ? "(required)" : "(optional)"}
      </h4>
      {body.description ? <p className="text-sm">{body.description}</p> : null}
      {body.content.map((c) => (
        <div key={c.mediaType} className="mt-1 text-sm">
          <span className="font-mono text-xs text-zinc-500">{c.mediaType}</span>
          {c.schema ? <SchemaView doc={doc} schema={c.schema} /> : null}
        </div>
      ))}
    </div>
  );
}

function ResponseView({ doc, r }: { doc: OpenApiDoc; r: Response }) {
  return (
    <div className="mt-1 text-sm" data-status={r.status}>
      <span className="font-mono font-semibold">{r.status}</span>{" "}
      {r.description ? <Prose text={r.description} /> : null}
      {r.content.map((c) => (
        <div key={c.mediaType} className="ml-4">
          <span className="font-mono text-xs text-zinc-500">{c.mediaType}</span>
          {c.schema ? <SchemaView doc={doc} schema={c.schema} /> : null}
        </div>
      ))}
    </div>
  );
}

/** Errors that say the same thing (same description and content) on one line: "400, 404 (application/json: Error)". */
function errorLines(doc: OpenApiDoc, errors: Response[]) {
  const lines: { statuses: string[]; description: string; content: Response["content"]; key: string }[] = [];
  for (const r of errors) {
    // The bare word "error" adds nothing beside a 4xx status.
    const description = r.description && r.description !== "error" ? r.description : "";
    const key = JSON.stringify([description, r.content.map((c) => [c.mediaType, typeLabel(doc, c.schema)])]);
    const same = lines.find((l) => l.key === key);
    if (same) same.statuses.push(r.status);
    else lines.push({ statuses: [r.status], description, content: r.content, key });
  }
  return lines;
}

/** A type, with a $ref linked to its entry in the schema section (also as an array's items). */
function TypeRef({ doc, schema }: { doc: OpenApiDoc; schema: JsonObject }): ReactNode {
  const name = refName(schema);
  if (name)
    return (
      <a href={`#schema-${name}`} className="font-mono text-xs text-indigo-600 underline">
        {name}
      </a>
    );
  const items = schema.items;
  if (schema.type === "array" && items && typeof items === "object" && !Array.isArray(items))
    return (
      <span className="font-mono text-xs">
        array of <TypeRef doc={doc} schema={items} />
      </span>
    );
  return <span className="font-mono text-xs">{typeLabel(doc, schema)}</span>;
}

const notesText = (schema: unknown) => {
  const n = schemaNotes(schema);
  return [n.description, n.default ? `default ${n.default}` : "", n.example ? `e.g. ${n.example}` : ""]
    .filter(Boolean)
    .join("; ");
};

/**
 * A schema as a readable tree: an object's properties one per row (name, type, required,
 * description), nested objects and arrays of objects indented below their property, the arms of
 * a oneOf listed. A $ref links to the schema section instead of repeating it (expandRef: that
 * section's own entry).
 */
function SchemaView({
  doc,
  schema,
  expandRef = false,
  depth = 0,
}: {
  doc: OpenApiDoc;
  schema: JsonObject;
  expandRef?: boolean;
  depth?: number;
}): ReactNode {
  if (depth > 8) return <span className="text-xs">…</span>;
  if (refName(schema) && !expandRef) {
    return (
      <div className="ml-4">
        <TypeRef doc={doc} schema={schema} />
      </div>
    );
  }
  const alts = (Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : null) as
    JsonObject[] | null;
  if (alts) {
    return (
      <div className="ml-4">
        <span className="text-xs text-zinc-500">one of:</span>
        <ol className="ml-4 list-decimal">
          {alts.map((a, i) => (
            <li key={i}>
              <SchemaView doc={doc} schema={a} depth={depth + 1} />
            </li>
          ))}
        </ol>
      </div>
    );
  }
  const props = objectProperties(doc, schema);
  if (props) {
    const note = notesText(schema);
    return (
      <div className="ml-4">
        {note ? <p className="text-xs text-zinc-600 dark:text-zinc-400">{note}</p> : null}
        <ul className="border-l border-zinc-200 pl-3 dark:border-zinc-700">
          {props.map((p) => (
            <li key={p.name} data-property={p.name}>
              <code className="font-mono">{p.name}</code>
              {p.required ? (
                <span className="text-red-700 dark:text-red-400" title="required">
                  {" "}
                  *
                </span>
              ) : null}{" "}
              <TypeRef doc={doc} schema={p.schema} />
              {notesText(p.schema) ? (
                <span className="text-zinc-600 dark:text-zinc-400"> — {notesText(p.schema)}</span>
              ) : null}
              <Nested doc={doc} schema={p.schema} depth={depth} />
            </li>
          ))}
        </ul>
        {schema.additionalProperties === false ? <p className="text-xs text-zinc-500">no other properties</p> : null}
      </div>
    );
  }
  const note = notesText(schema);
  return (
    <div className="ml-4">
      <span className="font-mono text-xs">{typeLabel(doc, schema)}</span>
      {note ? <span className="text-zinc-600 dark:text-zinc-400"> — {note}</span> : null}
      <Nested doc={doc} schema={schema} depth={depth} onlyItems />
    </div>
  );
}

/** What to draw below a property: its own properties, an array's object items, or a oneOf's arms. */
function Nested({
  doc,
  schema,
  depth,
  onlyItems = false,
}: {
  doc: OpenApiDoc;
  schema: JsonObject;
  depth: number;
  onlyItems?: boolean;
}) {
  if (refName(schema)) return null;
  if (!onlyItems && (objectProperties(doc, schema) || Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf))) {
    const inner = { ...schema, description: undefined } as unknown as JsonObject;
    return <SchemaView doc={doc} schema={inner} depth={depth + 1} />;
  }
  const items = schema.items;
  if (
    items &&
    typeof items === "object" &&
    !Array.isArray(items) &&
    !refName(items) &&
    (objectProperties(doc, items) || Array.isArray(items.oneOf))
  ) {
    return <SchemaView doc={doc} schema={items} depth={depth + 1} />;
  }
  return null;
}
