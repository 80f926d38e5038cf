import { requireWellFormed } from "../../api/requireWellFormed.ts";
import { DatanetError } from "../upload/errors.ts";

/** A multipart form read from a request: its text fields and its files. */
export type MultipartForm = {
  fields: Map<string, string>;
  files: { field: string; name: string; bytes: Uint8Array }[];
};

/**
 * Reads a `multipart/form-data` request body as a stream, counting bytes as they arrive and stopping at
 * `maxBytes` (413 `UPLOAD_TOO_LARGE`, whatever `content-length` claims), then parses it with the platform's form
 * parser. Memory is bounded by `maxBytes`.
 *
 * @example
 * const { fields, files } = await readMultipart(c.req.raw, 64 << 20);
 */
export async function readMultipart(request: Request, maxBytes: number): Promise<MultipartForm> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data"))
    throw new DatanetError(
      415,
      "INVALID_REQUEST",
      `expected multipart/form-data, got ${type || "no content type"}`,
      "Send the files as multipart/form-data with a `contributor` field.",
    );
  const tooLarge = () =>
    new DatanetError(
      413,
      "UPLOAD_TOO_LARGE",
      `the upload is larger than ${maxBytes} bytes`,
      "Split the files over several uploads, or raise the node's upload limit.",
    );
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.length;
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": type } }).formData();
  } catch (cause) {
    throw new DatanetError(
      400,
      "INVALID_REQUEST",
      "the multipart body does not parse",
      "Send a well-formed multipart/form-data body.",
      {
        cause,
      },
    );
  }
  const out: MultipartForm = { fields: new Map(), files: [] };
  // Node's FormData is iterable; the typings of this lib set do not say so.
  for (const [field, value] of form as unknown as Iterable<[string, string | File]>) {
    // The platform decodes invalid UTF-8 to U+FFFD, so a part cannot carry a lone surrogate today; checked
    // anyway, as every other body reader does, so a parser change cannot let one reach a hash or the db.
    requireWellFormed({ [field]: typeof value === "string" ? value : value.name }, "form");
    if (typeof value === "string") out.fields.set(field, value);
    else out.files.push({ field, name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  return out;
}
