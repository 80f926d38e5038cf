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
};

/** Tables derived from `chain_logs`; emptied and replayed when a reorg is rolled back. */
export const projectionTables = [
  "datanets",
  "datanet_curators",
  "contributions",
  "versions",
  "payout_addresses",
] as const;
