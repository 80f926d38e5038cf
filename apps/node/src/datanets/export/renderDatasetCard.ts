import type { VersionManifest } from "../publish/buildManifest.ts";

/** Parameters of {@link renderDatasetCard}. */
export type RenderDatasetCardParameters = {
  manifest: VersionManifest;
  /** The version number on chain (authoritative over `manifest.version`). */
  version: number;
  manifestURI: string;
};

/**
 * The dataset card (`README.md`) of an exported version: license, counts, contributors with their number of
 * contributions, the root, and how to verify the files against the chain. Deterministic: the same manifest
 * gives the same card. Starts with a YAML header in the form dataset hubs (e.g. Hugging Face) read.
 *
 * @example
 * const readme = renderDatasetCard({ manifest, version: 1, manifestURI: "ipfs://bafkrei…" });
 */
export function renderDatasetCard(params: RenderDatasetCardParameters): string {
  const { manifest: m, version, manifestURI } = params;
  const byContributor = new Map<
    string,
    { payout: string; contributions: number; tokens: number; bytes: number }
  >();
  for (const c of m.contributions) {
    const entry = byContributor.get(c.contributor) ?? {
      payout: c.payout,
      contributions: 0,
      tokens: 0,
      bytes: 0,
    };
    entry.contributions++;
    entry.tokens += c.tokens;
    entry.bytes += c.size;
    byContributor.set(c.contributor, entry);
  }
  const contributors = [...byContributor.entries()].sort(
    ([a, x], [b, y]) => y.contributions - x.contributions || (a < b ? -1 : a > b ? 1 : 0),
  );
  const license = m.license ?? "unspecified";
  const lines = [
    "---",
    `license: ${m.license ? m.license.toLowerCase() : "other"}`,
    `pretty_name: "Tributary datanet ${m.datanetId}, version ${version}"`,
    "---",
    "",
    `# Datanet ${m.datanetId}, version ${version}`,
    "",
    `A published, immutable snapshot of Tributary datanet ${m.datanetId}: ${m.count} accepted contributions from ${contributors.length} contributors. Every row is registered on chain under its contributor's address; models trained on it pay those contributors through attribution.`,
    "",
    "| | |",
    "|---|---|",
    `| license | ${license} (license id \`${m.licenseId}\`) |`,
    `| contributions | ${m.count} |`,
    `| contributors | ${contributors.length} |`,
    `| bytes (UTF-8 text) | ${m.totals.bytes} |`,
    `| tokens (${m.tokenizer}) | ${m.totals.tokens} |`,
    `| chain id | ${m.chainId} |`,
    `| DatanetRegistry | \`${m.datanetRegistry}\` |`,
    `| contributions root | \`${m.contributionsRoot}\` |`,
    `| manifest | \`${manifestURI}\` |`,
    `| attribution index | \`${m.index.id}\` (format ${m.index.formatVersion}, ${m.index.tokens} tokens) |`,
    "",
    "## Files",
    "",
    "- `data.jsonl`: one JSON object per contribution, ascending `id`: `id` (on-chain contribution id), `contentHash` (sha-256 of the UTF-8 text), `contributor`, `text` (normalized as docs/ingest.md §2 specifies).",
    "- `manifest.json`: the provenance manifest, byte for byte the blob the chain points to; pass it (or its URI) to the model registration as the training lineage.",
    "- `README.md`: this card.",
    "",
    "## Contributors",
    "",
    "| contributor | paid to | contributions | tokens | bytes |",
    "|---|---|---:|---:|---:|",
    ...contributors.map(
      ([address, e]) =>
        `| \`${address}\` | \`${e.payout}\` | ${e.contributions} | ${e.tokens} | ${e.bytes} |`,
    ),
    "",
    "## Verify",
    "",
    "Nothing here needs to be trusted: the files re-derive the root recorded on chain.",
    "",
    "1. For each row of `data.jsonl`, `contentHash` must equal sha-256 of the UTF-8 bytes of `text`.",
    "2. Build the OpenZeppelin StandardMerkleTree over the leaves `(uint256 id, bytes32 contentHash, address contributor)` in ascending `id`; its root must equal the contributions root above.",
    `3. Read the version from the chain: \`cast call ${m.datanetRegistry} "getVersion(uint256,uint64)((bytes32,uint64,uint64,string))" ${m.datanetId} ${version} --rpc-url <rpc>\`; its root, count and manifest URI must match.`,
    "4. `manifest.json` must hash (sha-256, CIDv1 raw) to the manifest URI's CID.",
    "",
    "```ts",
    'import { buildContributionsTree, contentHash } from "@tributary/core";',
    'const rows = readFileSync("data.jsonl", "utf8").trim().split("\\n").map((l) => JSON.parse(l));',
    'for (const r of rows) if (contentHash(r.text) !== r.contentHash) throw new Error("altered row " + r.id);',
    "const { root } = buildContributionsTree(rows.map((r) => ({ contributionId: BigInt(r.id), contentHash: r.contentHash, contributor: r.contributor })));",
    "```",
    "",
  ];
  return lines.join("\n");
}
