import { Transform, type TransformCallback } from "node:stream";
import { TributaryError } from "@tributary/core";

/** Caps of a line-oriented download (JSON lines), checked while it streams. */
export type LineLimits = {
  /** Longest line, in bytes. */
  maxLineBytes: number;
  /** Most lines. */
  maxLines: number;
};

/** A line-oriented download went past one of its {@link LineLimits}. */
export class LineLimitError extends TributaryError {
  override name = "LineLimitError";
  constructor(message: string) {
    super(message, { code: "LINE_LIMIT" });
  }
}

/**
 * A pass-through stream that counts bytes per line and lines, and fails with {@link LineLimitError} as soon as
 * either cap is passed, before a line reader would have to hold the long line in memory.
 *
 * @example
 * await pipeline(Readable.fromWeb(res.body), createLineGuard({ maxLineBytes: 1 << 20, maxLines: 1e6 }), file);
 */
export function createLineGuard(limits: LineLimits): Transform {
  let line = 0;
  let lines = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(10, from);
        const end = nl < 0 ? chunk.length : nl;
        line += end - from;
        if (line > limits.maxLineBytes) {
          callback(new LineLimitError(`has a line longer than ${limits.maxLineBytes} bytes`));
          return;
        }
        if (nl < 0) break;
        lines++;
        line = 0;
        from = nl + 1;
        if (lines > limits.maxLines) {
          callback(new LineLimitError(`has more than ${limits.maxLines} lines`));
          return;
        }
      }
      callback(null, chunk);
    },
  });
}
