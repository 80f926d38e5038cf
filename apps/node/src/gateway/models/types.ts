import type { Pricing, Split } from "@tributary/core";
import type { Address } from "viem";
import type { LlamaFiles } from "../llama/types.ts";
import type { ModelLimits } from "../promptLimits.ts";
import type { Upstream } from "../upstream.ts";

/** A datanet version a model was trained on. */
export type TrainedOnVersion = { datanetId: bigint; version: number };

/** A model the gateway serves, as stored. */
export type GatewayModel = {
  modelId: bigint;
  name: string;
  /**
   * `infinigram`: the built-in ∞-gram over its versions' index; `external`: an OpenAI-compatible upstream;
   * `llama`: a local base GGUF with an optional LoRA adapter (node-llama-cpp), attributed like `external`.
   */
  kind: "infinigram" | "external" | "llama";
  /** First trained-on version. */
  datanetId: bigint;
  version: number;
  /** The ∞-gram's index ids, comma-separated, one per trained-on version ("" for external models). */
  indexId: string;
  /** Every trained-on version, in registration order. */
  trainedOn: TrainedOnVersion[];
  /** External models only. */
  upstream?: Upstream;
  /** Llama models only: the base and adapter files with their registered sha-256. */
  llama?: LlamaFiles;
  /** The model's terms on chain (ModelRegistry, through the indexer's `model_terms`), as of the last read. */
  pricing: Pricing;
  split: Split;
  owner: Address;
  /** Deprecated on chain: listed, no longer served. */
  deprecated: boolean;
  /** Request size limits on this node: the model's own, else the node's defaults (`GatewayConfig`). */
  limits: ModelLimits;
  createdAt: string;
};

/** Parameters of `registerInfinigramModel`: one version (`datanetId`, `version`) or several (`trainedOn`). */
export type RegisterInfinigramModelParameters = (
  | { datanetId: bigint; version: number; trainedOn?: undefined }
  | { trainedOn: TrainedOnVersion[]; datanetId?: undefined; version?: undefined }
) & {
  pricing: Pricing;
  split: Split;
  /** Name clients pass as `model` (unique on this node). */
  name: string;
  /** Model card URI; defaults to `tributary://infinigram/<datanetId>/<version>[,<datanetId>/<version>…]`. */
  metadataURI?: string;
  /** This node's limits on the model's requests; each absent one is the node's default. */
  limits?: Partial<ModelLimits>;
};

/** Parameters of `registerExternalModel`. */
export type RegisterExternalModelParameters = {
  name: string;
  upstream: Upstream;
  /** Versions the upstream model was trained (or fine-tuned) on; each needs an index on this node. */
  trainedOn: TrainedOnVersion[];
  pricing: Pricing;
  split: Split;
  /** Model card URI; defaults to `tributary://external/<name>`. */
  metadataURI?: string;
  /** This node's limits on the model's requests; each absent one is the node's default. */
  limits?: Partial<ModelLimits>;
};

/** Parameters of `registerLlamaModel`: a base GGUF on this node's disk and an optional LoRA adapter GGUF. */
export type RegisterLlamaModelParameters = {
  /** Name clients pass as `model` (unique on this node). */
  name: string;
  /** Path of the base model GGUF (loaded once per sha-256, shared by every adapter on it). */
  baseFile: string;
  /** Path of the LoRA adapter GGUF; absent = the base model itself. */
  adapterFile?: string;
  /** Adapter strength (llama.cpp's LoRA scale), in (0, 16]; default 1. */
  scale?: number;
  /** Versions the adapter (or model) was trained on; each needs an index on this node (span-v1 attribution). */
  trainedOn: TrainedOnVersion[];
  pricing: Pricing;
  split: Split;
  /**
   * The model's id when it is already registered in ModelRegistry (the training job registers it with its
   * lineage); it must be owned by this node's key and list the same trained-on versions. Absent = registered here.
   */
  modelId?: bigint;
  /** Model card URI when registered here; defaults to `tributary://llama/<base sha-256>[/<adapter sha-256>]`. */
  metadataURI?: string;
  /** This node's limits on the model's requests; each absent one is the node's default, capped by the context. */
  limits?: Partial<ModelLimits>;
};
