/**
 * Tables of the node's database. Amounts are decimal TEXT (exact bigint, never a float); ids that
 * fit 53 bits (sequential on-chain ids, block numbers) are INTEGER.
 */
export type Database = {
  /** Where the indexer stands: last indexed block and its hash, per cursor name. */
  chain_cursor: { name: string; block_number: number; block_hash: string };
  /** Hashes of indexed blocks that carried logs or ended a batch, to find the fork point of a reorg. */
  chain_blocks: { block_number: number; block_hash: string };
  /** Every indexed log, decoded; projections are derived from these and can be rebuilt. */
  chain_logs: {
    block_number: number;
    log_index: number;
    block_hash: string;
    tx_hash: string;
    address: string;
    event_name: string;
    /** Decoded arguments as JSON, bigints as decimal strings. */
    args: string;
  };
  datanets: {
    id: number;
    owner: string;
    metadata_uri: string;
    curated: number;
    min_stake: string;
    license_id: string;
    refund_stake_on_accept: number;
    version_count: number;
    created_block: number;
  };
  datanet_curators: { datanet_id: number; curator: string };
  contributions: {
    id: number;
    datanet_id: number;
    contributor: string;
    content_hash: string;
    size: number;
    /** Pending | Accepted | Rejected | Withdrawn, as the contract reports it. */
    status: string;
    stake: string;
    metadata_uri: string;
    registered_block: number;
    updated_block: number;
  };
  versions: {
    datanet_id: number;
    version: number;
    contributions_root: string;
    count: number;
    manifest_uri: string;
    published_block: number;
  };
  payout_addresses: { contributor: string; payout: string };
  /** The attribution index (content address in the index store) of each datanet version. */
  version_indexes: {
    datanet_id: number;
    version: number;
    index_id: string;
    tokens: number;
    created_at: string;
  };
  /** Versions this node publishes, from plan to indexed (005_publications; see datanets/publish). */
  publications: PublicationRow;
};

/** Tables derived from `chain_logs`; emptied and replayed when a reorg is rolled back. */
export const projectionTables = [
  "datanets",
  "datanet_curators",
  "contributions",
  "versions",
  "payout_addresses",
] as const;

/** A row of `publications`: one version this node publishes, written before its transaction is broadcast. */
export type PublicationRow = {
  /** Random id of the attempt. */
  id: string;
  datanet_id: number;
  /** Version number the chain will give it if nothing else publishes first (written into the manifest). */
  planned_version: number;
  /** Version number the chain gave it (from the `VersionPublished` event), once mined. */
  version: number | null;
  contributions_root: string;
  count: number;
  /** CID of the manifest blob in the content store. */
  manifest_cid: string;
  /** Content address of the attribution index file. */
  index_id: string;
  /** Tokens in the index (documents + separators). */
  tokens: number;
  /** planned → broadcast → mined → indexed; `failed` when the transaction reverted. */
  state: "planned" | "broadcast" | "mined" | "indexed" | "failed";
  tx_hash: string;
  /** The signed transaction, 0x-hex, rebroadcast unchanged after a crash. */
  raw_tx: string;
  nonce: number;
  block_number: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
};
