import type { Generated } from "kysely";

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
  /** Uploads staged by this node, relayed or sent directly (004_uploads; see datanets/upload). */
  uploads: UploadRow;
  /** The documents of an upload: one blob and one metadata blob each, later one contribution. */
  upload_documents: UploadDocumentRow;
  /** One signed `contributeBatchWithSig` per ≤ batch_size documents, written before it is broadcast. */
  upload_batches: UploadBatchRow;
  /** MinHash signatures (128 × u32, little-endian) of documents, by datanet and content hash. */
  minhash_signatures: { datanet_id: number; content_hash: string; signature: Uint8Array };
  /** Node-side datanet settings the on-chain policy has no field for. */
  datanet_settings: DatanetSettingsRow;
  /** What the node agreed to relay, for the relay quotas (013_relay_quotas). */
  relay_usage: RelayUsageRow;
  /** Gateway API keys (006_gateway): only the sha-256 of each key is kept. */
  api_keys: ApiKeyRow;
  /** Models this node's gateway serves (006_gateway). */
  models: ModelRow;
  /** One row per served inference, written before the response completes (006_gateway). */
  receipts: ReceiptRow;
  /** Running total of each payer's charges over all receipts (006_gateway). */
  payer_charges: { payer: string; charged: string; updated_at: string };
  /** Reports this node built, one per epoch number (008_epochs). */
  epochs: EpochRow;
  /** Reports the guardian vetoed (008_epochs). */
  epoch_vetoes: { epoch: number; digest: string; bundle_cid: string | null; vetoed_at: string };
  /** Cumulative leaves of both trees of each epoch (008_epochs). */
  epoch_leaves: { epoch: number; tree: "charges" | "rewards"; account: string; amount: string };
  /** Earnings of an epoch per account, role, model and datanet (008_epochs). */
  epoch_earnings: {
    epoch: number;
    account: string;
    role: string;
    model_id: number;
    datanet_id: number;
    amount: string;
  };
  /** Settlement deposits and withdrawals per payer, projected by the indexer (007_gateway_payers). */
  payers: PayerRow;
  /** ModelRegistry's terms per model, one row per change (009_model_terms). */
  model_terms: ModelTermsRow;
  /** Receipts left out of every epoch because they cannot be verified (010_receipt_quarantine). */
  receipt_quarantine: ReceiptQuarantineRow;
  /** Training jobs and every step they passed (016_training_jobs). */
  training_jobs: TrainingJobRow;
  /**
   * Credit held by requests being served, on PostgreSQL (015_replicas): what admission reserved for each until
   * its receipt commits or `expires_at` (ms since the epoch) passes. Amounts are decimal text.
   */
  credit_holds: { id: string; payer: string; amount: string; expires_at: number; created_at: string };
};

/** A row of `receipt_quarantine`: a receipt no epoch takes, and why. */
export type ReceiptQuarantineRow = {
  receipt_id: string;
  /** The receipt's `receipts.rowid` (within the range of `epoch`). */
  receipt_rowid: number;
  /** The epoch whose close took it out. */
  epoch: number;
  payer: string;
  /** What the receipt charged (decimal), given back to the payer's running total. */
  charged: string;
  /** The verification differences that condemned it, e.g. `inputHash: expected 0x…, got 0x…`. */
  reason: string;
  quarantined_at: string;
};

/** Steps of an epoch close, in order (`vetoed` when the guardian refused the report). */
export type EpochStatus = "cut" | "bundled" | "signed" | "submitted" | "finalized";

/** A row of `epochs`. */
export type EpochRow = {
  epoch: number;
  status: EpochStatus;
  /** Highest `receipts.rowid` the epoch took (receipts above it belong to later epochs). */
  last_rowid: number;
  /** The epoch whose cumulative totals this one builds on (0 for the first). */
  previous_epoch: number;
  /** Block up to which depositors were listed for the charges tree. */
  payers_block: number;
  receipt_count: number;
  epoch_charged: string;
  cumulative_charged: string | null;
  cumulative_rewards: string | null;
  charges_root: string | null;
  rewards_root: string | null;
  receipts_root: string | null;
  bundle_cid: string | null;
  /** EIP-712 digest of the report. */
  digest: string | null;
  /** JSON array of `{ signer, signature }`. */
  signatures: string;
  submit_tx: string | null;
  challenge_ends_at: number | null;
  finalize_tx: string | null;
  /** JSON of the last verification result. */
  verification: string | null;
  created_at: string;
  updated_at: string;
};

/** Tables derived from `chain_logs`; emptied and replayed when a reorg is rolled back. */
export const projectionTables = [
  "datanets",
  "datanet_curators",
  "contributions",
  "versions",
  "payout_addresses",
  "payers",
  "model_terms",
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

/** A row of `uploads` (datanets/upload). */
export type UploadRow = {
  /** Random id (hex). */
  id: string;
  datanet_id: number;
  /** Lowercase address. */
  contributor: string;
  mode: "relayed" | "direct";
  /** storing → staged → submitting → completed; or rolled_back (failed, expired, crashed while storing). */
  status: "storing" | "staged" | "submitting" | "completed" | "rolled_back";
  document_count: number;
  batch_size: number;
  /** Unix seconds: the signature deadline and the end of staging. */
  deadline: number;
  error: string | null;
  created_at: string;
  updated_at: string;
};

/** A row of `upload_documents`. */
export type UploadDocumentRow = {
  upload_id: string;
  position: number;
  batch: number;
  content_hash: string;
  content_cid: string;
  metadata_cid: string;
  size: number;
  source_name: string;
  locator: string;
  format: string;
  /** JSON array of near-duplicate flags found at staging. */
  near_duplicates: string;
  contribution_id: number | null;
};

/** A row of `upload_batches`. */
export type UploadBatchRow = {
  upload_id: string;
  batch: number;
  /** The contributor's EIP-712 nonce the signature uses (decimal). */
  contributor_nonce: string;
  signature: string;
  /** signed → sent (raw transaction durable, maybe broadcast) → mined. */
  status: "signed" | "sent" | "mined";
  relayer_nonce: number | null;
  /** The signed relayer transaction, rebroadcast unchanged after a crash. */
  raw_tx: string | null;
  tx_hash: string | null;
  /** JSON array of every transaction hash signed for this batch (a re-send adds one). */
  tx_hashes: string;
  block_number: number | null;
  error: string | null;
  updated_at: string;
};

/** A row of `datanet_settings`. */
export type DatanetSettingsRow = {
  datanet_id: number;
  /** What to do with a near-duplicate upload: refuse it, or flag it for review. */
  near_duplicate_policy: "flag" | "refuse";
  near_duplicate_threshold: number;
  /** 1: the node relays (pays the gas of) signed uploads to this datanet; 0: only direct uploads. */
  relay_enabled: Generated<number>;
  updated_at: string;
};

/** A row of `relay_usage`: one submitted set of relayed batches, charged to its contributor and datanet. */
export type RelayUsageRow = {
  id: Generated<number>;
  upload_id: string;
  datanet_id: number;
  /** Lowercase address. */
  contributor: string;
  documents: number;
  /** Gas reserved for the batches (decimal). */
  gas: string;
  /** Unix seconds when it was charged. */
  at: number;
};

/** A row of `api_keys`. */
export type ApiKeyRow = {
  id: string;
  /** sha-256 of the plaintext key, lower-case hex. */
  key_hash: string;
  /** Lower-case payer address the key charges. */
  payer: string;
  created_at: string;
  /** 1 when revoked. */
  revoked: number;
  /** Operator's label (007). */
  name: string | null;
  /** Requests per minute for this key; null = the node's default (007). */
  rate_limit_per_minute: number | null;
};

/** A row of `payers`: one Settlement payer, from its Deposited / Withdrawn / WithdrawalRequested / WithdrawalCancelled events. */
/** A row of `model_terms`: a model's whole terms after the event at (block_number, log_index). */
export type ModelTermsRow = {
  model_id: number;
  block_number: number;
  log_index: number;
  /** Lower-case owner address. */
  owner: string;
  per_call: string;
  per_1k_output_tokens: string;
  /** Price per 1000 input tokens, decimal ('0' before 011_input_pricing). */
  per_1k_input_tokens: string;
  owner_bps: number;
  data_bps: number;
  /** 1 once deprecated. */
  deprecated: number;
};

export type PayerRow = {
  /** Lower-case payer address. */
  payer: string;
  /** Sum of every deposit (decimal). */
  deposited: string;
  /** Sum of every withdrawal (decimal). */
  withdrawn: string;
  /** Unix seconds of the pending withdrawal request; 0 when none. */
  withdrawal_requested_at: number;
  /** Unix seconds from which the pending request can be withdrawn; 0 when none. */
  withdrawal_available_at: number;
  /** Position of the last log applied (block, log index): a log at or before it is never applied again. */
  updated_block: number;
  updated_log_index: number;
};

/** A row of `models`. */
export type ModelRow = {
  /** ModelRegistry id. */
  model_id: number;
  /** Name clients pass as `model`. */
  name: string;
  /**
   * `infinigram` (built in, generates from `index_id`), `external` (an OpenAI-compatible upstream) or `llama` (a
   * local base GGUF with an optional LoRA adapter, served by node-llama-cpp; 017).
   */
  kind: "infinigram" | "external" | "llama";
  /** First trained-on version (every version is in `trained_on`). */
  datanet_id: number;
  version: number;
  /** Attribution index the ∞-gram model generates from ("" for external models). */
  index_id: string;
  per_call: string;
  per_1k_output_tokens: string;
  /** Price per 1000 input tokens, decimal (011). */
  per_1k_input_tokens: string;
  owner_bps: number;
  data_bps: number;
  /** Lower-case owner address (the node's key when it registered the model). */
  owner: string;
  created_at: string;
  /**
   * External models: JSON `{ baseURL, model, apiKey? }` of the OpenAI-compatible upstream, sealed (`sealed:v1:…`,
   * AES-256-GCM under `<dataDir>/secrets.key`, migration 014); null otherwise (007).
   */
  upstream: string | null;
  /** JSON `[{ "datanetId": "1", "version": 1 }]`: every trained-on version (007). */
  trained_on: string;
  /** Most input tokens a prompt may have; null = the node's default (011). */
  max_input_tokens: number | null;
  /** Most UTF-8 bytes a prompt may have (checked before tokenizing); null = the node's default (011). */
  max_prompt_bytes: number | null;
  /** Most output tokens a request may ask for (max_tokens); null = the node's default (011). */
  max_output_tokens: number | null;
  /**
   * Llama models: JSON `{ baseFile, baseSha256, adapterFile?, adapterSha256?, scale }` (017_llama_models); null otherwise.
   * Optional in inserts: rows of other kinds leave it null.
   */
  llama?: string | null | undefined;
};

/** A row of `receipts`. */
export type ReceiptRow = {
  /** Receipt id, 32 bytes lower-case hex. */
  id: string;
  payer: string;
  model_id: number;
  created_at: string;
  price: string;
  charged: string;
  /** Canonical receipt JSON. */
  receipt_json: string;
  /** keccak256 of the canonical bytes. */
  hash: string;
  /** The node's EIP-712 signature. */
  signature: string;
  /** The output text the receipt charges for. */
  output: string;
  /** The prompt as the model saw it (008_epochs; null for receipts written before). */
  input?: string | null;
  /** Epoch that settled it; null until an epoch closes over it. */
  epoch: number | null;
};

/** States of a training job, in order; `done`, `failed` and `cancelled` are final. */
export type TrainingJobState =
  | "queued"
  | "exporting"
  | "tokenizing"
  | "training"
  | "converting"
  | "registering"
  | "done"
  | "failed"
  | "cancelled";

/** A row of `training_jobs` (016_training_jobs). Hashes are 0x-hex sha-256; times ISO-8601. */
export type TrainingJobRow = {
  id: string;
  state: TrainingJobState;
  method: "lora" | "full";
  /** The validated request as JSON. */
  request: string;
  /** The base GGUF in the content store (null for a tiny base not yet built). */
  base_cid: string | null;
  base_sha256: string | null;
  workdir: string;
  /** Tokens written to tokens.bin and their sha-256 (set by the tokenize step). */
  tokens: number | null;
  tokens_sha256: string | null;
  step: number;
  steps: number;
  loss: number | null;
  first_loss: number | null;
  tokens_per_second: number | null;
  /** How many times the trainer was started (a resumed run counts again). */
  trainer_runs: number;
  /** The GGUF written by the convert step (adapter or whole model). */
  artifact_cid: string | null;
  artifact_sha256: string | null;
  /** sha-256 of the canonical training config (recorded on chain as the lineage's configHash). */
  config_hash: string | null;
  metadata_uri: string | null;
  model_id: number | null;
  /** 1 once ModelRegistry holds the lineage (base model hash, config hash). */
  lineage_recorded: number;
  error_code: string | null;
  error_message: string | null;
  error_hint: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};
