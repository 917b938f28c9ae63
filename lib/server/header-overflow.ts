import http from "node:http";
import type { Duplex } from "node:stream";

/**
 * Node answers a request whose headers are too large (over --max-http-header-size, 16 KiB) or
 * malformed itself, with an empty body, before any route runs. Here the server's "clientError"
 * gets the app's error contract instead, so clients parse every error the same way. Patched on the
 * prototype because `next start` creates its server before our code runs; a server that listens
 * for "clientError" itself is left alone.
 */
export function answerClientErrorsAsJson(): void {
  const proto = http.Server.prototype as http.Server & { __atlasClientErrors?: boolean };
  if (proto.__atlasClientErrors) return;
  proto.__atlasClientErrors = true;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "clientError" && this.listenerCount("clientError") === 0) {
      respond(args[0] as NodeJS.ErrnoException, args[1] as Duplex);
      return true;
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof proto.emit;
}

function respond(err: NodeJS.ErrnoException, socket: Duplex) {
  const parseError = err.code?.startsWith("HPE_") || err.code === "ERR_HTTP_REQUEST_TIMEOUT";
  if (!parseError || !socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy(err);
    return;
  }
  const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
  const [status, reason, code, message] = tooLarge
    ? [
        431,
        "Request Header Fields Too Large",
        "headers_too_large",
        `the request headers exceed the server's limit of ${http.maxHeaderSize} bytes`,
      ]
    : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "Request Timeout", "request_timeout", "the request took too long to arrive"]
      : [
          400,
          "Bad Request",
          "malformed_request",
          `the HTTP request could not be parsed (${err.code ?? "parse error"})`,
        ];
  const body = JSON.stringify({ error: { code, message, where: tooLarge ? "headers" : "request" } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}
