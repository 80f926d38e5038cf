import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { NodeContext } from "../../context/NodeContext.ts";
import { writeFileAtomic } from "../../fs/writeFileAtomic.ts";
import { renderVersionExport, type VersionExport } from "./renderVersionExport.ts";

/** Parameters of {@link exportVersion}. */
export type ExportVersionParameters = {
  datanetId: bigint;
  version: number;
  /** Folder to write `data.jsonl`, `README.md` and `manifest.json` into (created if missing). */
  outDir: string;
};

/** Return type of {@link exportVersion}: the paths written and what they hold. */
export type ExportVersionReturnType = {
  files: { data: string; readme: string; manifest: string };
  rows: number;
  contributionsRoot: VersionExport["contributionsRoot"];
  manifestURI: string;
};

/** Errors of {@link exportVersion}: those of `renderVersionExport`, plus file-system errors. */
export type { RenderVersionExportErrorType as ExportVersionErrorType } from "./renderVersionExport.ts";

/**
 * Exports a published version for training: `data.jsonl` (one row per contribution: id, content hash,
 * contributor, text), `README.md` (dataset card) and `manifest.json` (the provenance manifest, the same bytes
 * as the stored blob, to carry into the model registration). Each file is written to a temporary name,
 * fsynced and renamed, so a reader never sees half a file.
 *
 * @example
 * await exportVersion(ctx, { datanetId: 1n, version: 2, outDir: "exports/datanet-1-v2" });
 */
export async function exportVersion(
  ctx: NodeContext,
  params: ExportVersionParameters,
): Promise<ExportVersionReturnType> {
  const rendered = await renderVersionExport(ctx, params);
  const dir = resolve(params.outDir);
  await mkdir(dir, { recursive: true });
  const files = {
    data: join(dir, "data.jsonl"),
    readme: join(dir, "README.md"),
    manifest: join(dir, "manifest.json"),
  };
  await writeFileAtomic(files.data, new TextEncoder().encode(rendered.dataJsonl));
  await writeFileAtomic(files.readme, new TextEncoder().encode(rendered.readme));
  await writeFileAtomic(files.manifest, rendered.manifestBytes);
  return {
    files,
    rows: rendered.manifest.contributions.length,
    contributionsRoot: rendered.contributionsRoot,
    manifestURI: rendered.manifestURI,
  };
}
